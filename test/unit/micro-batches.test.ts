import { describe, expect, it } from 'vitest';
import {
  ATTENTION_ROW_LENGTH,
  attentionCellsFor,
  defaultRunCost,
  fewestRuns,
  paddedTokensOf,
  planMicroBatches,
  type RunCost,
} from '../../dist/workers/micro-batches.js';
import { measureRunCost, runCostFrom } from '../../dist/workers/run-cost.js';

const lengthsOf = (lengths: number[], batches: number[][]) => batches.map((batch) => batch.map((i) => lengths[i]));
const costOf = (lengths: number[], batches: number[][], cost: RunCost) =>
  batches.length * cost.perRunMs + cost.perTokenMs * paddedTokensOf(lengths, batches);

/** Every way to cut the sorted rows into consecutive runs within the budget: the least total cost. */
function bruteForceCost(lengths: number[], budget: number, cost: RunCost): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  let best = Number.POSITIVE_INFINITY;
  for (let cuts = 0; cuts < 1 << Math.max(sorted.length - 1, 0); cuts++) {
    let total = 0;
    let start = 0;
    for (let i = 1; i <= sorted.length; i++) {
      if (i < sorted.length && (cuts & (1 << (i - 1))) === 0) continue;
      const rows = i - start;
      const padded = rows * sorted[i - 1]!;
      if (rows > 1 && padded > budget) total = Number.POSITIVE_INFINITY;
      total += cost.perRunMs + cost.perTokenMs * padded;
      start = i;
    }
    best = Math.min(best, total);
  }
  return best;
}

/** A small deterministic generator, so that the cases are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('planMicroBatches', () => {
  it('pads a short row up to its neighbour only when a run costs more than the padding', () => {
    // One run of [10, 20] computes 40 padded tokens; two runs compute 30 and pay the fixed cost twice.
    expect(lengthsOf([20, 10], planMicroBatches([20, 10], 1000, { perRunMs: 9, perTokenMs: 1 }))).toEqual([[10], [20]]);
    expect(lengthsOf([20, 10], planMicroBatches([20, 10], 1000, { perRunMs: 11, perTokenMs: 1 }))).toEqual([[10, 20]]);
  });

  it('cuts where the lengths jump, not at a fixed padding ratio', () => {
    const lengths = [12, 30, 11, 10, 31, 10, 12, 32, 11];
    const plan = planMicroBatches(lengths, 1000, { perRunMs: 20, perTokenMs: 1 });
    expect(lengthsOf(lengths, plan)).toEqual([
      [10, 10, 11, 11, 12, 12],
      [30, 31, 32],
    ]);
  });

  it('finds the cheapest plan: the same total cost as trying every cut', () => {
    const random = seeded(7);
    for (let trial = 0; trial < 200; trial++) {
      const lengths = Array.from({ length: 1 + Math.floor(random() * 10) }, () => 2 + Math.floor(random() * 40));
      const budget = 20 + Math.floor(random() * 200);
      const cost = { perRunMs: random() * 30, perTokenMs: 0.5 + random() };
      const plan = planMicroBatches(lengths, budget, cost);
      expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      for (const batch of plan) if (batch.length > 1) expect(paddedTokensOf(lengths, [batch])).toBeLessThanOrEqual(budget);
      expect(costOf(lengths, plan, cost)).toBeCloseTo(bruteForceCost(lengths, budget, cost), 9);
    }
  });

  it('keeps rows x longest row within the budget, and a row longer than the budget alone', () => {
    expect(planMicroBatches([100, 2, 2], 8, defaultRunCost)).toEqual([[1, 2], [0]]);
    const fives = Array.from({ length: 8 }, () => 5);
    const plan = planMicroBatches(fives, 16, fewestRuns);
    expect(plan.map((batch) => batch.length)).toEqual([2, 3, 3]);
  });

  it('keeps rows x longest row² within the attention bound: long rows run fewer at a time, short ones as before', () => {
    const budget = 1024;
    const cells = attentionCellsFor(budget);
    // Rows up to the bound's length fill the token budget as before.
    const short = Array.from({ length: 64 }, () => ATTENTION_ROW_LENGTH);
    const perRun = budget / ATTENTION_ROW_LENGTH;
    expect(planMicroBatches(short, budget, fewestRuns).map((batch) => batch.length)).toEqual(
      Array.from({ length: 64 / perRun }, () => perRun),
    );
    // 256-token windows: four fit the token budget, two the attention bound.
    const windows = Array.from({ length: 6 }, () => 256);
    expect(planMicroBatches(windows, budget, fewestRuns).map((batch) => batch.length)).toEqual([2, 2, 2]);
    // 512 tokens: two fit the token budget, one the attention bound.
    const long = Array.from({ length: 3 }, () => 512);
    expect(planMicroBatches(long, budget, fewestRuns).map((batch) => batch.length)).toEqual([1, 1, 1]);
    const random = seeded(22);
    const lengths = Array.from({ length: 500 }, () => 1 + Math.floor(random() * 256));
    for (const batch of planMicroBatches(lengths, budget)) {
      const longest = Math.max(...batch.map((i) => lengths[i]!));
      if (batch.length > 1) expect(batch.length * longest * longest).toBeLessThanOrEqual(cells);
    }
    // Without the bound (the benchmarks' ceilings), only the tokens count.
    expect(planMicroBatches(windows, budget, fewestRuns, Number.POSITIVE_INFINITY).map((batch) => batch.length)).toEqual([2, 4]);
  });

  it('with fewestRuns and no budget, makes one run', () => {
    expect(planMicroBatches([9, 1, 30, 4], Number.MAX_SAFE_INTEGER, fewestRuns)).toEqual([[1, 3, 0, 2]]);
  });

  it('keeps the input order among rows of equal length', () => {
    expect(planMicroBatches([5, 5, 5, 5], 100)).toEqual([[0, 1, 2, 3]]);
  });

  it('returns nothing for nothing', () => {
    expect(planMicroBatches([], 100)).toEqual([]);
  });
});

describe('runCostFrom', () => {
  it('is the line through two timed shapes', () => {
    const cost = runCostFrom({ shape: { rows: 1, sequenceLength: 8 }, ms: 1.4 }, { shape: { rows: 16, sequenceLength: 16 }, ms: 20 });
    expect(cost.perTokenMs).toBeCloseTo(18.6 / 248, 12);
    expect(cost.perRunMs).toBeCloseTo(1.4 - (8 * 18.6) / 248, 12);
  });

  it('falls back to the default when the timings make no sense', () => {
    const small = { rows: 1, sequenceLength: 8 };
    const large = { rows: 16, sequenceLength: 16 };
    expect(runCostFrom({ shape: small, ms: 5 }, { shape: large, ms: 4 })).toEqual(defaultRunCost);
    expect(runCostFrom({ shape: small, ms: 0.1 }, { shape: large, ms: 40 })).toEqual(defaultRunCost);
  });
});

describe('measureRunCost', () => {
  /** Holds the thread for `ms`, as a session run does. */
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };

  it('times each run alone, so that runs slowed by something else do not count', async () => {
    // A run costs 1 ms plus 0.05 ms per padded token; every third run is held up 15 ms more, as by
    // another process taking the core: in any group of several runs, one of them.
    const perRunMs = 1;
    const perTokenMs = 0.05;
    let count = 0;
    const cost = await measureRunCost(async (rows, sequenceLength) => {
      busy(perRunMs + perTokenMs * rows * sequenceLength + (count++ % 3 === 0 ? 15 : 0));
    });
    expect(cost).not.toEqual(defaultRunCost);
    // The fastest runs are the undisturbed ones, give or take the clock, the loop around them and, on a
    // busy machine, a core lost for a moment (so the bounds are wide; a held-up run is 15 ms).
    expect(cost.perTokenMs).toBeGreaterThan(perTokenMs * 0.8);
    expect(cost.perTokenMs).toBeLessThan(perTokenMs * 1.5);
    expect(cost.perRunMs).toBeLessThan(perRunMs + 1);
  });
});
