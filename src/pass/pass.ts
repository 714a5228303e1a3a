/**
 * What one run reads and how it records it. A forward pass (a plain run, resume, refresh, rebuild or
 * restart) reads in id order above the watermark and moves it: every row, every row the target lacks
 * (a rebuild or --refresh), or the rows written since the last complete pass that the target lacks (a
 * catch-up pass, see change-capture/); a retry of failed rows reads only those rows, wherever they lie,
 * and records no progress. The loop (embed-loop.ts) is the same for both.
 */
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import type { Queryable } from '../db/database.js';
import { readFailedRows } from '../source/failed-rows.js';
import { readPages, type ReadOptions, type SourceRow } from '../source/row-reader.js';
import { catchUpSql, readKindSql } from '../change-capture/waiting-rows.js';
import type { SourceTable } from '../source/source-table.js';
import type { JobProgress, JobState } from '../state/job-state.js';
import type { Target } from '../target/target-table.js';
import type { LoopInput } from './embed-loop.js';
import { pageRows, passTaskRows, type TaskSizing } from './task-size.js';

export interface Pass {
  pages: AsyncIterable<SourceRow[]>;
  /** Where the loop records progress and failed rows. */
  record: LoopInput['job'];
  taskRows: LoopInput['taskRows'];
  /** Whether reading every row completes the pass, so that the watermark moves to the table's end. */
  completesPass: boolean;
}

export function forwardPass(
  db: Queryable,
  source: SourceTable,
  target: Target,
  job: JobState,
  progress: JobProgress,
  /** The table's counters proved nothing was written since the last complete pass. */
  nothingToRead: boolean,
  sizing: TaskSizing & Pick<ReadOptions, 'limit' | 'commitTimes' | 'only'>,
): Pass {
  const pageSize = pageRows(sizing);
  let lastPageInHand = false;
  return {
    pages: nothingToRead
      ? noPages()
      : readPages(db, source, {
          after: progress.watermark,
          exclude: progress.ranges,
          pageSize,
          limit: sizing.limit,
          commitTimes: sizing.commitTimes,
          only: sizing.only,
          onLastPage: () => {
            lastPageInHand = true;
          },
          ...passReads(source, target, progress),
        }),
    record: job,
    taskRows: passTaskRows(sizing, () => lastPageInHand),
    completesPass: true,
  };
}

/** What the pass in progress reads beyond the watermark, and each row's kind for the summary. */
function passReads(source: SourceTable, target: Target, progress: JobProgress): Pick<ReadOptions, 'pending' | 'kind'> {
  if (progress.passSince !== undefined) {
    return { pending: catchUpSql(target, progress.passSince), kind: readKindSql(source, target, progress.passSince) };
  }
  if (progress.checkTarget) return { pending: target.pendingSql, kind: readKindSql(source, target, undefined) };
  return {};
}

async function* noPages(): AsyncGenerator<SourceRow[]> {}

/** --retry-failed: the rows recorded as failed, each cleared as it is read again. */
export function retryFailedPass(db: Queryable, source: SourceTable, job: JobState, failedIds: readonly string[], pageSize: number): Pass {
  return {
    pages: readFailedRows(db, source, failedIds, pageSize, (ids) => job.clearFailures(ids)),
    // Retried rows lie anywhere below the watermark: they are not progress.
    record: { saveProgress: () => undefined, recordFailure: (id, error) => job.recordFailure(id, error) },
    // Retried rows all failed once: alone in its task, each gets its own verdict, and a task whose rows
    // all fail again is not mistaken for a broken worker.
    taskRows: () => 1,
    completesPass: false,
  };
}

/** A row that failed before and is written now is a failure no more. */
export function clearingFixedFailures(
  sendTask: (task: BatchTask) => Promise<BatchResult>,
  failedIds: readonly string[],
  job: Pick<JobState, 'clearFailures'>,
): (task: BatchTask) => Promise<BatchResult> {
  if (failedIds.length === 0) return sendTask;
  const failedBefore = new Set(failedIds);
  return async (task) => {
    const result = await sendTask(task);
    const fixed = task.ids.filter((id) => failedBefore.has(id));
    if (fixed.length > 0) job.clearFailures(fixed);
    return result;
  };
}
