/**
 * `embed <table> --retry-failed --distributed`: this host retries the rows that failed on any host of
 * the job (see src/distributed/retry-failed.ts) and reports like a plain retry. Exit 3 while rows still
 * fail; a second host given the command meanwhile returns at once, saying another host has them.
 */
import type pg from 'pg';
import { EXIT } from '../process/exit-codes.js';
import { watchRunInterrupts } from '../process/interrupt.js';
import { noHostStats, type HostStats } from './host-loop.js';
import { retryFailedRows } from './retry-failed.js';
import { createProgress, type ProgressReporter } from '../pass/progress.js';
import type { JobState } from '../state/job-state.js';
import type { Target } from '../target/target-table.js';
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import type { EmbedConfig } from '../config/config.js';
import type { Queryable } from '../db/database.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import type { SourceTable } from '../source/source-table.js';

/** What a retry needs of the run (HostRunSetup in host-run.ts has it). */
export interface RetryRun {
  config: EmbedConfig;
  db: Queryable;
  breaker: CircuitBreaker;
  source: SourceTable;
  sendTask: (task: BatchTask, target: Target) => Promise<BatchResult>;
  maxInFlight: number;
}

export interface RetrySetup {
  queuePool: pg.Pool;
  queue: string;
  target: Target;
  job: JobState;
  report: (outcome: 'completed' | 'interrupted', stats: HostStats, pass: number | null, share: string) => number;
  say: (line: string) => void;
}

export async function retryOnThisHost(parts: RetryRun, retry: RetrySetup): Promise<number> {
  const { config } = parts;
  let bar: ProgressReporter | undefined;
  const interrupts = watchRunInterrupts(parts.breaker, 'interrupted while waiting for the database; the rows not retried stay listed', () =>
    bar?.stop(),
  );
  const runId = retry.job.startRun();
  try {
    const outcome = await retryFailedRows({
      queuePool: retry.queuePool,
      queue: retry.queue,
      db: parts.db,
      source: parts.source,
      sendTask: (task) => parts.sendTask(task, retry.target),
      breaker: parts.breaker,
      maxInFlight: parts.maxInFlight,
      stopRequested: () => interrupts.requested,
      onStart: (rows) => {
        retry.say(rows === 0 ? 'no failed rows to retry in the distributed job' : `retrying ${rows} row(s) that failed on the job's hosts`);
        bar = createProgress(rows, { quiet: config.quiet || config.json });
      },
      onProgress: (rows) => bar?.update(rows),
    });
    bar?.stop();
    if (outcome.kind === 'busy') {
      retry.say(`another host is retrying the failed rows of this job; nothing to do here`);
      retry.report('completed', noHostStats(), null, 'none (another host retries)');
      retry.job.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'completed' });
      return EXIT.done;
    }
    const stats = { ...outcome.stats, rangesDone: 0 };
    const result = interrupts.requested ? 'interrupted' : 'completed';
    const rowsPerSecond = retry.report(result, stats, null, `the failed rows of the job, ${outcome.failedAgain} failed again`);
    retry.job.endRun(runId, {
      rows: stats.rowsEmbedded,
      skipped: stats.rowsSkipped,
      failed: outcome.failedAgain,
      rowsPerSecond,
      outcome: result,
    });
    if (result === 'interrupted') {
      process.stderr.write('interrupted: the rows not retried yet stay listed; run the same command again\n');
      return EXIT.interrupted;
    }
    if (outcome.failedAgain > 0) {
      process.stderr.write(
        `embed: ${outcome.failedAgain} row(s) failed again; they stay listed by "embed failures ${config.table.name}"\n`,
      );
      return EXIT.completedWithFailures;
    }
    return EXIT.done;
  } catch (error) {
    retry.job.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'failed' });
    throw error;
  } finally {
    bar?.stop();
    interrupts.dispose();
  }
}
