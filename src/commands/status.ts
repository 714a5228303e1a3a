/**
 * `embed status <table>`: how far a job is, from the state file and exact counts on the server: rows
 * done are the rows a run would no longer read (embedded, or skipped for empty text), so the number
 * is right even just after a crash, when the state file lags the target by the batches in flight.
 */
import type pg from 'pg';
import { EXIT } from '../cli/exit-codes.js';
import { jobTables, openLookup, singleJob, type JobLookupArgs } from './job-lookup.js';
import { formatDuration } from '../run/progress.js';
import { unreadCondition } from '../source/row-reader.js';
import type { SourceTable } from '../source/source-table.js';
import type { IdRange, JobIdentity, JobProgress, LockHolder, RunRecord } from '../state/job-state.js';
import type { TargetInfo } from '../target/target-table.js';

export interface StatusOptions extends JobLookupArgs {
  json?: boolean;
}

export interface JobStatus {
  job: JobIdentity;
  stateFile: string;
  rowsDone: number;
  rowsTotal: number;
  percent: number;
  /** The pass in progress checks every row against the target (rebuilding progress, or --refresh). */
  checkingTarget: boolean;
  /** Every row with an id up to this one is done... */
  watermark: string | null;
  /** ...and so are the rows in these ranges above it. */
  ranges: IdRange[];
  lastRun: RunRecord | null;
  /** Speed of the last run that embedded anything. */
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  failures: number;
  /** The run working on the job now, if any. */
  runningPid: number | null;
}

export async function status(options: StatusOptions): Promise<number> {
  const session = await openLookup(options);
  try {
    const job = singleJob(session);
    const progress = job.progress();
    const { source, target } = await jobTables(session.client, job.identity);
    const { total, remaining } = await countRows(session.client, source, target, progress);
    const rate = job.lastRate() ?? null;
    const holder: LockHolder | undefined = job.lockHolder();
    const report: JobStatus = {
      job: job.identity,
      stateFile: session.state.file,
      rowsDone: total - remaining,
      rowsTotal: total,
      percent: total === 0 ? 100 : ((total - remaining) / total) * 100,
      checkingTarget: progress.checkTarget,
      watermark: progress.watermark,
      ranges: progress.ranges,
      lastRun: job.lastRun() ?? null,
      rowsPerSecond: rate,
      etaSeconds: remaining === 0 ? 0 : rate === null ? null : remaining / rate,
      failures: job.failureCount(),
      runningPid: holder?.pid ?? null,
    };
    process.stdout.write(options.json ? JSON.stringify(report) + '\n' : formatStatus(report));
    return EXIT.done;
  } finally {
    await session.close();
  }
}

/** Every row of the source, and those the next run would still read (exactly the same condition). */
async function countRows(
  client: pg.ClientBase,
  source: SourceTable,
  target: TargetInfo,
  progress: JobProgress,
): Promise<{ total: number; remaining: number }> {
  const unread = unreadCondition(source, {
    after: progress.watermark,
    exclude: progress.ranges,
    pending: progress.checkTarget ? target.pendingSql : undefined,
  });
  const result = await client.query<{ total: string; remaining: string }>({
    text: `SELECT (SELECT count(*) FROM ${source.sql}) AS total,
                  (SELECT count(*) FROM ${source.sql} AS src WHERE ${unread.where}) AS remaining`,
    values: unread.params,
  });
  return { total: Number(result.rows[0]!.total), remaining: Number(result.rows[0]!.remaining) };
}

function formatStatus(s: JobStatus): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const run = s.lastRun;
  const lastRun =
    run === null
      ? 'none'
      : run.endedAt === null
        ? `${s.runningPid !== null ? 'running' : 'stopped without a word (killed?)'} since ${run.startedAt} UTC`
        : `${run.outcome}, ${run.startedAt} to ${run.endedAt} UTC, ${n(run.rows ?? 0)} rows at ${(run.rowsPerSecond ?? 0).toFixed(1)} rows/s`;
  const eta =
    s.etaSeconds === null ? 'unknown (no run has measured a speed yet)' : s.etaSeconds === 0 ? 'nothing left' : `${formatDuration(s.etaSeconds)} at ${s.rowsPerSecond!.toFixed(1)} rows/s`;
  const lines = [
    `job         ${s.job.source} (${s.job.idColumn}, ${s.job.textColumn}) -> ${s.job.target} on ${s.job.database}`,
    `model       ${s.job.model}@${s.job.modelHash.slice(0, 12)}, ${s.job.dimension} dimensions`,
    `rows        ${n(s.rowsDone)} of ${n(s.rowsTotal)} done (${s.percent.toFixed(1)}%), ${n(s.rowsTotal - s.rowsDone)} to go${s.checkingTarget ? ' (checking each against the target)' : ''}`,
    `last run    ${lastRun}`,
    `ETA         ${eta}`,
    `failures    ${n(s.failures)}${s.failures > 0 ? ' (embed failures lists them, embed --retry-failed retries them)' : ''}`,
    `running     ${s.runningPid === null ? 'no' : `yes, pid ${s.runningPid}`}`,
    `state file  ${s.stateFile}`,
  ];
  return lines.join('\n') + '\n';
}
