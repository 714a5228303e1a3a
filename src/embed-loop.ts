/**
 * The main thread's loop: read pages in id order, cut them into batches, keep a bounded number of
 * batches in flight on the pool (backpressure), and record each batch in the state file once its
 * worker reports the commit.
 */
import type { BatchResult, BatchTask } from './batch-task.js';
import type { CommitLedger } from './commit-ledger.js';
import { isBlank, type SourceRow } from './row-reader.js';
import type { JobState } from './state-store.js';

export interface LoopStats {
  rowsEmbedded: number;
  rowsSkipped: number;
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
}

export interface LoopInput {
  pages: AsyncIterable<SourceRow[]>;
  runBatch: (task: BatchTask) => Promise<BatchResult>;
  ledger: CommitLedger;
  job: JobState;
  batchSize: number;
  maxInFlight: number;
  /** True once the user asked to stop: no new batch is dispatched, those in flight finish. */
  stopRequested: () => boolean;
  onProgress: (rowsDone: number) => void;
}

export async function runEmbedLoop(input: LoopInput): Promise<LoopStats> {
  const stats: LoopStats = {
    rowsEmbedded: 0,
    rowsSkipped: 0,
    truncated: 0,
    realTokens: 0,
    paddedTokens: 0,
    tokenizeMs: 0,
    inferenceMs: 0,
    writeMs: 0,
    readMs: 0,
    rowsRead: 0,
    lastRead: null,
  };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let rowsDone = 0;

  const committed = (seq: number, result?: BatchResult) => {
    const rows = input.ledger.commit(seq);
    input.job.saveProgress(input.ledger.currentWatermark, input.ledger.ranges, rows);
    rowsDone += rows;
    if (result) {
      stats.rowsEmbedded += result.written;
      stats.truncated += result.truncatedIds.length;
      stats.realTokens += result.realTokens;
      stats.paddedTokens += result.paddedTokens;
      stats.tokenizeMs += result.tokenizeMs;
      stats.inferenceMs += result.inferenceMs;
      stats.writeMs += result.writeMs;
    }
    input.onProgress(rowsDone);
  };
  const stopping = () => failure !== undefined || input.stopRequested();

  let readStartedAt = performance.now();
  read: for await (const page of input.pages) {
    stats.readMs += performance.now() - readStartedAt;
    for (let start = 0; start < page.length; start += input.batchSize) {
      if (stopping()) break read;
      const rows = page.slice(start, start + input.batchSize);
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
      if (stopping()) {
        // The batch was opened but never sent: leave the ledger's gap so the watermark stops before it.
        break read;
      }
      const task: BatchTask = { seq, ids: embeddable.map((r) => r.id), texts: embeddable.map((r) => r.text!) };
      const done = input.runBatch(task).then(
        (result) => committed(seq, result),
        (error: unknown) => {
          failure ??= error;
        },
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
    readStartedAt = performance.now();
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return stats;
}
