/**
 * One pass over a prepared job, shared by a plain run (job/plain-run.ts) and each cycle of a
 * watch (commands/watch/): the reads (forward, or a retry of failed rows), the loop, and, when the
 * table was read to its end, the pass completed in the state file and its snapshot in the target's
 * comment.
 */
import { firstLine } from '../../common/errors.js';
import { rowsPerTask, type EmbedConfig } from '../config/config.js';
import type { PassSnapshot } from '../source/pass-snapshot.js';
import type { Queryable } from '../db/database.js';
import { highestId, type SourceTable } from '../source/source-table.js';
import type { JobState } from '../state/job-state.js';
import type { Target } from '../target/target-table.js';
import { recordSnapshot } from '../target/target-marker.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import { CommitLedger } from './commit-ledger.js';
import { runEmbedLoop, type LoopObserver, type LoopStats } from './embed-loop.js';
import { clearingFixedFailures, forwardPass, retryFailedPass } from './pass.js';
import type { ResumePlan } from './resume-plan.js';
import { tasksInFlight } from './worker-config.js';
import type { WorkerPool } from './worker-pool.js';

export interface PassSetup {
  pool: WorkerPool;
  db: Queryable;
  breaker: CircuitBreaker;
  source: SourceTable;
  target: Target;
  job: JobState;
  plan: ResumePlan;
}

export interface PassHooks {
  stopRequested: () => boolean;
  /** Rows recorded so far in this pass. */
  onProgress?: (rows: number) => void;
  observer?: LoopObserver;
  /** Read each row's commit time, for the freshness lag. */
  commitTimes?: boolean;
  /** Rows the pass is expected to read, for sizing its last tasks. */
  rowsExpected: number;
  /** Where a warning goes (default: a line on stderr). */
  warn?: (line: string) => void;
  /**
   * Whether a completed pass writes its snapshot to the target's comment now (default: always). A
   * watcher completes passes several times a second and writes it less often (see watch/comment-pace.ts).
   */
  commentDue?: () => boolean;
}

export interface PassOutcome {
  stats: LoopStats;
  /** Every row was read and the pass is complete (a plain run's "done"). */
  completed: boolean;
}

export async function embedPass(
  config: EmbedConfig,
  { pool, db, breaker, source, target, job, plan }: PassSetup,
  hooks: PassHooks,
): Promise<PassOutcome> {
  const progress = job.progress();
  const ledger = new CommitLedger(progress.watermark, progress.ranges);
  // Once the table is read to the end, every row up to this id is read or done, even rows after the
  // last one read that a check against the target skipped.
  const lastAtStart = await highestId(db, source, []);
  const failedIds = job.failureCount() > 0 ? job.failures().map((f) => f.rowId) : [];
  const taskRows = rowsPerTask(config.batchSize, config.sortWindow);
  const pass =
    config.mode === 'retry-failed'
      ? retryFailedPass(db, source, job, failedIds, taskRows)
      : forwardPass(db, source, target, job, progress, plan.nothingToRead, {
          fullTask: taskRows,
          batchSize: config.batchSize,
          rowsExpected: hooks.rowsExpected,
          tasksInFlight: tasksInFlight(config),
          limit: config.limit,
          commitTimes: hooks.commitTimes,
          only: plan.waitingIds,
        });
  const context = {
    target: target.display,
    lockTimeoutSeconds: config.lockTimeoutSeconds,
    statementTimeoutSeconds: config.statementTimeoutSeconds,
  };
  const writeTarget = { plan: target.plan, context };
  const stats = await runEmbedLoop({
    pages: pass.pages,
    sendTask: clearingFixedFailures((task) => pool.run({ ...task, target: writeTarget }), failedIds, job),
    breaker,
    ledger,
    job: pass.record,
    taskRows: pass.taskRows,
    maxInFlight: tasksInFlight(config),
    stopRequested: hooks.stopRequested,
    onProgress: (rows) => hooks.onProgress?.(rows),
    observer: hooks.observer,
  });
  const readToEnd = pass.completesPass && !hooks.stopRequested() && (config.limit === undefined || stats.rowsRead < config.limit);
  if (readToEnd && progress.passOpen) {
    ledger.finish(await highestId(db, source, [stats.lastRead, lastAtStart, ...progress.ranges.map((r) => r.last)]));
    job.completePass(ledger.currentWatermark);
    // Through the reads' connection, which reconnects: the set-up one may have been lost during the pass.
    if (hooks.commentDue?.() ?? true) await recordSnapshotInComment(db, target, plan, progress.passSnapshot, hooks.warn);
  }
  return { stats, completed: readToEnd };
}

/**
 * The state file first: the target's copy only serves a state file lost later, and an older one there is
 * merely more work for it, so a comment that cannot be written (a lock held by a manual VACUUM, say) is
 * a warning, not a failed run.
 */
export async function recordSnapshotInComment(
  client: Queryable,
  target: Target,
  plan: Pick<ResumePlan, 'marker'>,
  snapshot: PassSnapshot | undefined,
  warn?: (line: string) => void,
): Promise<void> {
  await recordSnapshot(client, target.ref, plan.marker, snapshot).catch((error: unknown) => {
    const line = `the pass is complete but ${target.display}'s comment keeps an older record of it (${firstLine(error)}); nothing is lost`;
    if (warn) warn(line);
    else process.stderr.write(`embed: warning: ${line}\n`);
  });
}
