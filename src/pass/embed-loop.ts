/**
 * The main thread's loop: read pages in id order, cut them into batches, keep a bounded number of
 * batches in flight on the pool (backpressure), and record each batch in the state file once its
 * worker reports the commit. While the database is away (the circuit breaker is open) nothing is
 * dispatched and failed sends wait for it; a batch that keeps failing is split until the rows at fault
 * are found, and those are recorded as failed while the rest of the batch counts as done.
 */
import { runIsolated } from './batch-isolation.js';
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import type { CommitLedger } from './commit-ledger.js';
import { isBlank, type SourceRow } from '../source/row-reader.js';
import { rowsWithinTaskText } from './task-size.js';
import type { JobState } from '../state/job-state.js';
import type { RowKind } from '../source/row-values.js';

/** What the loop needs of a ledger: a CommitLedger on one host, a RangeLedger (distributed/) across hosts. */
export type TaskLedger = Pick<CommitLedger, 'open' | 'commit' | 'currentWatermark' | 'ranges'>;

export interface LoopStats {
  rowsEmbedded: number;
  /** Rows the model ran on; rowsEmbedded minus these had their vector copied from an identical input. */
  rowsInferred: number;
  rowsSkipped: number;
  /** Rows isolated as the cause of a failing batch and recorded in the state file's failures. */
  rowsFailed: number;
  truncated: number;
  realTokens: number;
  paddedTokens: number;
  tokenizeMs: number;
  inferenceMs: number;
  writeMs: number;
  readMs: number;
  rowsRead: number;
  /** Last id read. */
  lastRead: string | null;
  /** Worker threads that ran at least one task. */
  workersUsed: number;
  /** Rows embedded by kind, when the reads said (rows of unknown kind count as new). */
  rowsByKind: Record<RowKind, number>;
}

export interface LoopInput {
  pages: AsyncIterable<SourceRow[]>;
  sendTask: (task: BatchTask) => Promise<BatchResult>;
  breaker: CircuitBreaker;
  ledger: TaskLedger;
  /** Where progress and failed rows go (a --retry-failed run records failures but no progress). */
  job: Pick<JobState, 'saveProgress' | 'recordFailure'>;
  /**
   * Rows for the next worker task (the unit that is sorted, committed and recorded), given the rows read
   * so far and the rows of the page in hand not yet in a task; fewer when their text passes a task's
   * budget (rowsWithinTaskText).
   */
  taskRows: (rowsRead: number, pageRowsLeft: number) => number;
  maxInFlight: number;
  /** True once the user asked to stop: no new batch is dispatched, those in flight finish. */
  stopRequested: () => boolean;
  onProgress: (rowsDone: number) => void;
  /** Told of each page read and each batch recorded: metrics, freshness lag, the event log. */
  observer?: LoopObserver;
}

export interface LoopObserver {
  pageRead?(ms: number, rows: number): void;
  /** A batch is recorded: `rows` were sent, `failed` of them were isolated as failed. */
  batchRecorded?(rows: readonly SourceRow[], result: BatchResult | undefined, failed: readonly { id: string; error: string }[]): void;
}

/** A loop's counts before it has done anything. */
export function emptyLoopStats(): LoopStats {
  return {
    rowsEmbedded: 0,
    rowsInferred: 0,
    rowsSkipped: 0,
    rowsFailed: 0,
    truncated: 0,
    realTokens: 0,
    paddedTokens: 0,
    tokenizeMs: 0,
    inferenceMs: 0,
    writeMs: 0,
    readMs: 0,
    rowsRead: 0,
    lastRead: null,
    workersUsed: 0,
    rowsByKind: { new: 0, late: 0, changed: 0 },
  };
}

export async function runEmbedLoop(input: LoopInput): Promise<LoopStats> {
  const stats = emptyLoopStats();
  const workersUsed = new Set<number>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let rowsDone = 0;

  // A send that finds the database gone waits for it to come back and sends again, however often: only
  // the breaker's budget bounds that wait.
  const sendWhileReachable = (task: BatchTask): Promise<BatchResult> => input.breaker.retry(() => input.sendTask(task));

  const committed = (
    seq: number,
    result?: BatchResult,
    failed: readonly { id: string; error: string }[] = [],
    sent: readonly SourceRow[] = [],
  ) => {
    // Failed rows first: a crash between the two writes redoes the batch, it never forgets a failure.
    for (const row of failed) input.job.recordFailure(row.id, row.error);
    stats.rowsFailed += failed.length;
    // The batch is done for the watermark even with failed rows: they are in the failures table.
    const rows = input.ledger.commit(seq);
    input.job.saveProgress(input.ledger.currentWatermark, input.ledger.ranges, rows);
    rowsDone += rows;
    if (result) {
      const failedIds = new Set(failed.map((row) => row.id));
      for (const row of sent) if (!failedIds.has(row.id)) stats.rowsByKind[row.kind ?? 'new']++;
      for (const worker of result.workers) workersUsed.add(worker);
      stats.workersUsed = workersUsed.size;
      stats.rowsEmbedded += result.written;
      stats.rowsInferred += result.rowsInferred;
      stats.truncated += result.truncatedIds.length;
      stats.realTokens += result.realTokens;
      stats.paddedTokens += result.paddedTokens;
      stats.tokenizeMs += result.tokenizeMs;
      stats.inferenceMs += result.inferenceMs;
      stats.writeMs += result.writeMs;
    }
    input.onProgress(rowsDone);
    if (sent.length > 0) input.observer?.batchRecorded?.(sent, result, failed);
  };
  const stopping = () => failure !== undefined || input.stopRequested();

  let readStartedAt = performance.now();
  try {
    read: for await (const page of input.pages) {
      const readMs = performance.now() - readStartedAt;
      stats.readMs += readMs;
      input.observer?.pageRead?.(readMs, page.length);
      for (let start = 0; start < page.length; ) {
        if (stopping()) break read;
        const rows = page.slice(start, start + rowsWithinTaskText(page, start, input.taskRows(stats.rowsRead, page.length - start)));
        start += rows.length;
        stats.lastRead = rows[rows.length - 1]!.id;
        stats.rowsRead += rows.length;
        const seq = input.ledger.open(stats.lastRead, rows.length);
        const embeddable = rows.filter((row) => !isBlank(row.text));
        stats.rowsSkipped += rows.length - embeddable.length;
        if (embeddable.length === 0) {
          committed(seq);
          continue;
        }
        while (inFlight.size >= input.maxInFlight) await Promise.race(inFlight);
        // Dispatch pauses while the database is away; past the breaker's budget this throws.
        await input.breaker.whenClosed();
        if (stopping()) {
          // The batch was opened but never sent: leave the ledger's gap so the watermark stops before it.
          break read;
        }
        const task: BatchTask = { seq, ids: embeddable.map((r) => r.id), texts: embeddable.map((r) => r.text!) };
        const done = runIsolated(task, sendWhileReachable).then(
          ({ result, failed }) => committed(seq, result, failed, embeddable),
          (error: unknown) => {
            failure ??= error;
          },
        );
        inFlight.add(done);
        void done.finally(() => inFlight.delete(done));
      }
      readStartedAt = performance.now();
    }
  } catch (error) {
    // A read that failed for good (or a breaker that gave up): let the batches already out finish and be
    // recorded before the run stops.
    failure ??= error;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return stats;
}
