/**
 * A batch that keeps failing is split in halves until the rows at fault are isolated: those rows are
 * reported failed, with the error, and every other row of the batch is written. A fault that is not in
 * the rows (the database went away, no permission, a model that cannot load) is not split: it travels.
 */
import { isConnectionLost } from '../../common/batch-failure.js';
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import { EmbedError, firstLine, WorkerError } from '../../common/errors.js';

export interface FailedRow {
  id: string;
  error: string;
}

export interface IsolatedBatch {
  /** What the rows that were written report, merged; undefined when none was. */
  result: BatchResult | undefined;
  failed: FailedRow[];
}

export interface IsolationOptions {
  /** Tries for the whole batch before it is split (a worker that died once may have died of something else). */
  attempts: number;
}

export async function runIsolated(
  task: BatchTask,
  run: (task: BatchTask) => Promise<BatchResult>,
  options: IsolationOptions = { attempts: 2 },
): Promise<IsolatedBatch> {
  const results: BatchResult[] = [];
  const failed: FailedRow[] = [];
  const isolate = async (part: BatchTask, attempts: number): Promise<void> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        results.push(await run(part));
        return;
      } catch (error) {
        if (!mayLieInRows(error)) throw error;
        lastError = error;
      }
    }
    if (part.ids.length === 1) {
      failed.push({ id: part.ids[0]!, error: firstLine(lastError) });
      return;
    }
    // Halves in order, one at a time: the batch keeps its place in the dispatcher's bound on work in flight.
    const middle = Math.ceil(part.ids.length / 2);
    await isolate({ seq: part.seq, ids: part.ids.slice(0, middle), texts: part.texts.slice(0, middle) }, 1);
    await isolate({ seq: part.seq, ids: part.ids.slice(middle), texts: part.texts.slice(middle) }, 1);
  };
  await isolate(task, options.attempts);
  if (task.ids.length > 1 && failed.length === task.ids.length) {
    // Every row failing on its own points at the worker or the model, not at the rows: stop rather than
    // mark a whole table failed one batch at a time.
    throw new WorkerError(
      `every row of a batch failed, each on its own (${failed[0]!.error}); the fault is not in the rows, so the run stops; progress is saved`,
    );
  }
  return { result: merge(task.seq, results), failed };
}

function mayLieInRows(error: unknown): boolean {
  return !(error instanceof EmbedError) && !isConnectionLost(error);
}

function merge(seq: number, results: BatchResult[]): BatchResult | undefined {
  if (results.length === 0) return undefined;
  if (results.length === 1) return results[0];
  const sum = (pick: (r: BatchResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    seq,
    workers: [...new Set(results.flatMap((r) => r.workers))],
    written: sum((r) => r.written),
    rowsInferred: sum((r) => r.rowsInferred),
    truncatedIds: results.flatMap((r) => r.truncatedIds),
    realTokens: sum((r) => r.realTokens),
    paddedTokens: sum((r) => r.paddedTokens),
    tokenizeMs: sum((r) => r.tokenizeMs),
    inferenceMs: sum((r) => r.inferenceMs),
    writeMs: sum((r) => r.writeMs),
  };
}
