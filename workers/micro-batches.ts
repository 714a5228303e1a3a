/**
 * Padding, not threads, sets the speed of a BERT encoder: every row of a session run is padded to the
 * longest row in it. A window of rows is sorted by token count and cut into runs bounded by a token
 * budget (rows x longest row), where the cuts are chosen to cost least by a cost model of a session run:
 * a fixed cost per run plus a cost per padded token (run-cost.ts measures both on the machine at hand).
 * Padding a short row up to its neighbour costs tokens; cutting a run costs one more fixed cost; on a
 * fast kernel the fixed cost is a larger share, so the best cuts are fewer than a padding cap would make.
 */

/** What one session run costs: `perRunMs + perTokenMs x rows x longest row`. */
export interface RunCost {
  perRunMs: number;
  perTokenMs: number;
}

/**
 * For a session that has not measured its own: minilm-l6 q8 on one thread of an AVX-512 VNNI core, where
 * a run costs about as much as 10 padded tokens. Only the ratio matters to the plan.
 */
export const defaultRunCost: RunCost = { perRunMs: 0.75, perTokenMs: 0.075 };

/** Only the number of runs counts: as few runs as the budget allows (plain batching, as the benchmark's ceilings need). */
export const fewestRuns: RunCost = { perRunMs: 1, perTokenMs: 0 };

/**
 * Rows longer than this many tokens are bounded by their attention as well as by the token budget: a
 * run's attention matrices hold rows x length² cells per head, so at the budget's padded tokens a run of
 * 256-token rows holds twice the cells of one of 128-token rows, and the memory onnxruntime keeps
 * after a run grows to the largest it made (its arena and malloc keep it). So no run holds more cells
 * than a run of rows of this length within the budget: sentences stay bounded by the budget alone,
 * while a long chunk runs with fewer rows. Bounded at 64 tokens, 256-token chunks ran one a run, and a
 * run's fixed cost then showed on a fast CPU (bench:documents); at 128 they run two at a time. See
 * docs/speed.md, "Memory".
 */
export const ATTENTION_ROW_LENGTH = 128;

/** The attention cells (rows x length²) a run may hold under a token budget. */
export function attentionCellsFor(maxBatchTokens: number): number {
  return maxBatchTokens * ATTENTION_ROW_LENGTH;
}

/**
 * The runs, each a list of indices into `tokenCounts`, shortest rows first, that cost least in total under
 * `cost` with no run over `maxBatchTokens` padded tokens nor over `maxAttentionCells` rows x length² (a
 * row longer than either allows runs alone). Rows of equal length keep their input order.
 */
export function planMicroBatches(
  tokenCounts: ArrayLike<number>,
  maxBatchTokens: number,
  cost: RunCost = defaultRunCost,
  maxAttentionCells: number = attentionCellsFor(maxBatchTokens),
): number[][] {
  const n = tokenCounts.length;
  const order = Array.from({ length: n }, (_, index) => index);
  order.sort((a, b) => tokenCounts[a]! - tokenCounts[b]! || a - b);
  // best[i]: least cost of the first i sorted rows; start[i]: where the last run of that plan starts.
  // Sorted ascending, a run's last row is its longest, so a run [j, i) costs perRun + perToken x (i - j) x length[i - 1].
  const best = new Float64Array(n + 1);
  const start = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    const longest = tokenCounts[order[i - 1]!]!;
    const length = Math.max(longest, 1);
    const maxRows = Math.max(1, Math.floor(Math.min(maxBatchTokens / length, maxAttentionCells / (length * length))));
    let bestCost = Number.POSITIVE_INFINITY;
    let bestStart = i - 1;
    // From the longest run down, so that among plans of equal cost the one with fewer runs wins.
    for (let j = Math.max(0, i - maxRows); j < i; j++) {
      const total = best[j]! + cost.perRunMs + cost.perTokenMs * (i - j) * longest;
      if (total < bestCost) {
        bestCost = total;
        bestStart = j;
      }
    }
    best[i] = bestCost;
    start[i] = bestStart;
  }
  const batches: number[][] = [];
  for (let i = n; i > 0; i = start[i]!) batches.push(order.slice(start[i]!, i));
  return batches.reverse();
}

/** Padded tokens of a plan (rows x longest row, summed over its runs). */
export function paddedTokensOf(tokenCounts: ArrayLike<number>, batches: readonly (readonly number[])[]): number {
  let padded = 0;
  for (const batch of batches) {
    let longest = 0;
    for (const index of batch) longest = Math.max(longest, tokenCounts[index]!);
    padded += batch.length * longest;
  }
  return padded;
}
