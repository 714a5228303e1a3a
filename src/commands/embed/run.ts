/**
 * One run of the loop over a prepared job: the pass (forward, or a retry of failed rows), progress bar
 * and interrupts, then the watermark, the run's record in the state file, the metrics and the report.
 */
import type pg from 'pg';
import { EmbedError, firstLine } from '../../../common/errors.js';
import { rowsPerTask, type EmbedConfig } from '../../cli/config.js';
import { watchInterrupts } from '../../cli/interrupt.js';
import type { Queryable } from '../../db/database.js';
import type { ModelInfo } from '../../model/model-folder.js';
import type { CircuitBreaker } from '../../run/circuit-breaker.js';
import { CommitLedger } from '../../run/commit-ledger.js';
import { runEmbedLoop, type LoopStats } from '../../run/embed-loop.js';
import { clearingFixedFailures, forwardPass, retryFailedPass } from '../../run/pass.js';
import { createProgress } from '../../run/progress.js';
import type { RunReport } from '../../run/run-summary.js';
import { computeSlots, tasksInFlight } from '../../run/worker-config.js';
import type { WorkerPool } from '../../run/worker-pool.js';
import { estimateRows, highestId, type SourceTable } from '../../source/source-table.js';
import type { JobState } from '../../state/job-state.js';
import { finishMetrics } from '../../target/metrics-pass.js';
import type { Target } from '../../target/target-table.js';
import type { ResumePlan } from '../../run/resume-plan.js';
import { recordSnapshot } from '../../target/target-marker.js';
import { runReport } from './report.js';

export interface RunParts {
  pool: WorkerPool;
  /** When the command started: the rate covers starting the workers and preparing the target too. */
  startedAt: number;
  model: ModelInfo;
  client: pg.Client;
  db: Queryable;
  breaker: CircuitBreaker;
  source: SourceTable;
  target: Target;
  job: JobState;
  plan: ResumePlan;
  stateFile: string;
}

export async function run(
  config: EmbedConfig,
  { pool, startedAt, model, client, db, breaker, source, target, job, plan, stateFile }: RunParts,
): Promise<RunReport> {
  const runId = job.startRun();
  const progress = job.progress();
  const ledger = new CommitLedger(progress.watermark, progress.ranges);
  // Once the table is read to the end, every row up to this id is read or done, even rows after the
  // last one read that a check against the target skipped.
  const lastAtStart = await highestId(db, source, []);
  const failedIds = job.failureCount() > 0 ? job.failures().map((f) => f.rowId) : [];
  const tableRows = await estimateRows(client, source);
  const total = config.limit === undefined ? tableRows : Math.min(tableRows, config.limit);
  const rowsLeft = Math.min(config.limit ?? Number.POSITIVE_INFINITY, Math.max(0, tableRows - progress.rowsDone));
  const bar = createProgress(total, { quiet: config.quiet || config.json, rowsBefore: config.limit === undefined ? Math.min(progress.rowsDone, total) : 0, startedAt });
  const interrupts = watchInterrupts(() => {
    bar.stop();
    // Batches waiting for the database would otherwise wait out the whole budget.
    if (breaker.isOpen) {
      breaker.cancel(new EmbedError('INTERRUPTED', 'interrupted while waiting for the database; progress is saved; run the same command again to resume'));
    }
  });
  const taskRows = rowsPerTask(config.batchSize, config.sortWindow);
  const pass =
    config.mode === 'retry-failed'
      ? retryFailedPass(db, source, job, failedIds, taskRows)
      : forwardPass(db, source, target, job, progress, plan.nothingToRead, {
          fullTask: taskRows,
          batchSize: config.batchSize,
          rowsExpected: rowsLeft,
          computeSlots: computeSlots(config),
          limit: config.limit,
        });
  const context = { target: target.display, lockTimeoutSeconds: config.lockTimeoutSeconds, statementTimeoutSeconds: config.statementTimeoutSeconds };
  const writeTarget = { plan: target.plan, context };
  let stats: LoopStats;
  try {
    stats = await runEmbedLoop({
      pages: pass.pages,
      runBatch: clearingFixedFailures((task) => pool.run({ ...task, target: writeTarget }), failedIds, job),
      breaker,
      ledger,
      job: pass.record,
      taskRows: pass.taskRows,
      maxInFlight: tasksInFlight(config),
      stopRequested: () => interrupts.requested,
      onProgress: (rows) => bar.update(rows),
    });
  } catch (error) {
    job.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'failed' });
    throw error;
  } finally {
    bar.stop();
    interrupts.dispose();
  }
  const readToEnd = pass.completesPass && !interrupts.requested && (config.limit === undefined || stats.rowsRead < config.limit);
  if (readToEnd && progress.passOpen) {
    ledger.finish(await highestId(db, source, [stats.lastRead, lastAtStart, ...progress.ranges.map((r) => r.last)]));
    job.completePass(ledger.currentWatermark);
    // The state file first: the target's copy only serves a state file lost later, and an older one
    // there is merely more work for it, so a comment that cannot be written (a lock held by a manual
    // VACUUM, say) is a warning, not a failed run.
    await recordSnapshot(client, target.ref, plan.marker, progress.passSnapshot).catch((error: unknown) => {
      process.stderr.write(`embed: warning: the pass is complete but ${target.display}'s comment keeps an older record of it (${firstLine(error)}); nothing is lost\n`);
    });
  }
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const rowsPerSecond = stats.rowsEmbedded / Math.max(elapsedSeconds, 1e-9);
  const outcome = interrupts.requested ? 'interrupted' : 'completed';
  job.endRun(runId, { rows: stats.rowsEmbedded, skipped: stats.rowsSkipped, failed: stats.rowsFailed, rowsPerSecond, outcome });
  const metrics =
    config.metrics.mode !== 'off' && outcome === 'completed' ? await finishMetrics(db, source, target.display, config.metrics) : undefined;
  return runReport(config, { outcome, model, source, target, stats, elapsedSeconds, rowsPerSecond, stateFile, metrics });
}
