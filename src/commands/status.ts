/**
 * `embed status <table>`: how far a job is, from the state file and exact counts on the server: rows
 * done are the rows a run would no longer read (embedded, or skipped for empty text), so the number
 * is right even just after a crash, when the state file lags the target by the batches in flight. The
 * rows waiting are counted by kind (new, committed late, changed) with the conditions the next run reads
 * with (change-capture/next-run.ts).
 */
import { formatQueueStatus, jobQueueStatus, waitingAcrossHosts, type JobQueueStatus } from '../distributed/pass-status.js';
import { EXIT } from '../process/exit-codes.js';
import { databaseLine, databaseRead, jobTables, openLookup, singleJob, type DatabaseRead, type JobLookupArgs } from '../job/job-lookup.js';
import { formatDuration } from '../pass/progress.js';
import { rowsForNextRun } from '../change-capture/next-run.js';
import type { WaitingRows } from '../change-capture/waiting-rows.js';
import { countRows } from '../source/source-table.js';
import { countChunks } from '../target/chunk-table.js';
import type { IdRange, JobIdentity, LockHolder, RunRecord } from '../state/job-state.js';
import { shownJobText } from '../state/job-text.js';
import type { WatchRecord } from '../state/watch-record.js';
import { describeProfile, type ModelProfile } from '../model/model-profile.js';
import { describeIndexStatus, vectorIndexStatus, type VectorIndexStatus } from '../target/vector-index-status.js';

export interface StatusOptions extends JobLookupArgs {
  json?: boolean;
}

export interface JobStatus {
  job: JobIdentity;
  stateFile: string;
  /** The database status read (host:port/database) and how it was chosen. */
  database: DatabaseRead;
  rowsDone: number;
  rowsTotal: number;
  percent: number;
  /** The pass in progress checks every row against the target (rebuilding progress, or --refresh). */
  checkingTarget: boolean;
  /** The rows the next run would embed (rowsTotal - rowsDone), by kind (see change-capture/). */
  waiting: WaitingRows;
  /** Every row with an id up to this one is done... */
  watermark: string | null;
  /** ...and so are the rows in these ranges above it. */
  ranges: IdRange[];
  lastRun: RunRecord | null;
  /** The last run that embedded rows (the last run itself, unless that one had nothing to do). */
  lastMeasuredRun: RunRecord | null;
  /** Speed of the last run that embedded anything. */
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  failures: number;
  /** The run working on the job now, if any. */
  runningPid: number | null;
  /** The job's queue when it runs on several hosts (--distributed): the whole pass, every host. */
  distributed: JobQueueStatus | null;
  /** What the watcher working on the job last reported (embed watch), if one runs. */
  watch: WatchRecord | null;
  /** The model profile the job's last run used (null when that run predates profiles: the default one). */
  profile: ModelProfile | null;
  /** A chunked job (`--chunk`): the chunks its target holds, and the rows they belong to. */
  chunks: { chunks: number; rows: number } | null;
  /** The vector index on the target's column: ours or the user's, valid, invalid or being built. */
  index: VectorIndexStatus;
}

export async function status(options: StatusOptions): Promise<number> {
  const session = await openLookup(options);
  try {
    const job = singleJob(session);
    const progress = job.progress();
    const { source, target } = await jobTables(session.client, job.identity);
    const distributed = (await jobQueueStatus(session.client, job.identity)) ?? null;
    const total = await countRows(session.client, source);
    // Across hosts progress lives in the queue (see distributed/pass-status.ts).
    const waiting =
      distributed === null
        ? await rowsForNextRun(session.client, source, target, progress)
        : await waitingAcrossHosts(session.client, source, target, distributed);
    const remaining = waiting.new + waiting.late + waiting.changed;
    const measured = job.lastMeasuredRun() ?? null;
    const rate = distributed === null ? (measured?.rowsPerSecond ?? null) : sumOfRates(distributed);
    const holder: LockHolder | undefined = job.lockHolder();
    const report: JobStatus = {
      job: job.identity,
      stateFile: session.state.file,
      database: databaseRead(session),
      rowsDone: total - remaining,
      rowsTotal: total,
      percent: total === 0 ? 100 : ((total - remaining) / total) * 100,
      checkingTarget: progress.checkTarget,
      waiting,
      watermark: progress.watermark,
      ranges: progress.ranges,
      lastRun: job.lastRun() ?? null,
      lastMeasuredRun: measured,
      rowsPerSecond: rate,
      // Across hosts: the pass's rows left over the rate of the hosts heard from in the last minute.
      etaSeconds: distributed !== null ? distributed.pass.etaSeconds : remaining === 0 ? 0 : rate === null ? null : remaining / rate,
      failures: job.failureCount(),
      runningPid: holder?.pid ?? null,
      distributed,
      watch: liveWatch(job.watchRecords().last(), holder),
      profile: recordedProfile(session.state.recordedProfile(job.id)),
      chunks: target.chunked && target.ref.kind === 'table' ? await countChunks(session.client, target.ref.table) : null,
      index: await vectorIndexStatus(session.client, target.ref),
    };
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
    return EXIT.done;
  } finally {
    await session.close();
  }
}

/** Across hosts the ETA is the running pass's: its rows left over the hosts' rate (rows waiting beyond it go to the next pass). */
function passEta(status: JobQueueStatus): string {
  const { pass } = status;
  if (pass.etaSeconds === 0) return `pass ${pass.pass} done; rows waiting are planned by the next --distributed run`;
  if (pass.etaSeconds === null) return `pass ${pass.pass}: unknown (no host heard from in the last minute)`;
  const rate = sumOfRates(status) ?? 0;
  return `pass ${pass.pass}: ${formatDuration(pass.etaSeconds)} for its ${(pass.rows.total - pass.rows.done).toLocaleString('en-US')} rows left, at ${rate.toFixed(1)} rows/s (the hosts heard from in the last minute)`;
}

/** The rows per second of the hosts heard from lately; null when none has measured a speed. */
function sumOfRates(status: JobQueueStatus): number | null {
  const rate = status.pass.hosts.filter((h) => h.silentSeconds < 60).reduce((sum, h) => sum + h.rowsPerSecond, 0);
  return rate > 0 ? rate : null;
}

function perRow(counted: { chunks: number; rows: number }): string {
  return counted.rows === 0 ? '' : `, ${(counted.chunks / counted.rows).toFixed(1)} per row`;
}

/** A watcher's record counts only while the process that wrote it holds the job. */
function liveWatch(record: WatchRecord | undefined, holder: LockHolder | undefined): WatchRecord | null {
  return record !== undefined && holder !== undefined && holder.pid === record.pid ? record : null;
}

/** The JSON the state file keeps (StateStore.recordProfile), when it is a profile. */
function recordedProfile(recorded: unknown): ModelProfile | null {
  const looksRight = typeof recorded === 'object' && recorded !== null && 'pooling' in recorded && 'sources' in recorded;
  return looksRight ? (recorded as ModelProfile) : null;
}

function formatWatch(w: WatchRecord): string {
  const seconds = (value: number | null) => (value === null ? '-' : `${value.toFixed(2)}s`);
  const port = w.metricsPort === null ? '' : `, metrics on port ${w.metricsPort}`;
  const backlog = `backlog ${w.backlog.toLocaleString('en-US')} rows`;
  if (w.lagMeasured === false) {
    // Rows may well have been embedded: only their lag cannot be known without commit times.
    return `${backlog}, lag unknown: track_commit_timestamp is off on the server (as of ${w.updatedAt} UTC)${port}; to measure it, set track_commit_timestamp = on in postgresql.conf and restart the server`;
  }
  const lag =
    w.lagMax === null
      ? 'no rows embedded in the last minute'
      : `lag p50 ${seconds(w.lagP50)}, p95 ${seconds(w.lagP95)}, max ${seconds(w.lagMax)} over the last minute`;
  return `${backlog}, ${lag} (as of ${w.updatedAt} UTC)${port}`;
}

function formatStatus(s: JobStatus): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const run = s.lastRun;
  const lastRun =
    run === null
      ? 'none'
      : run.endedAt === null
        ? `${s.runningPid !== null ? 'running' : 'stopped without a word (killed?)'} since ${run.startedAt} UTC`
        : run.rows === 0 && s.lastMeasuredRun !== null
          ? `${run.outcome}, ${run.startedAt} to ${run.endedAt} UTC, nothing to do; the last run that embedded rows: ` +
            `${n(s.lastMeasuredRun.rows ?? 0)} rows at ${(s.lastMeasuredRun.rowsPerSecond ?? 0).toFixed(1)} rows/s (${s.lastMeasuredRun.startedAt} UTC)`
          : `${run.outcome}, ${run.startedAt} to ${run.endedAt} UTC, ${n(run.rows ?? 0)} rows at ${(run.rowsPerSecond ?? 0).toFixed(1)} rows/s`;
  const eta =
    s.distributed !== null
      ? passEta(s.distributed)
      : s.etaSeconds === null
        ? 'unknown (no run has measured a speed yet)'
        : s.etaSeconds === 0
          ? 'nothing left'
          : `${formatDuration(s.etaSeconds)} at ${s.rowsPerSecond!.toFixed(1)} rows/s`;
  const lines = [
    `job         ${s.job.source} (${s.job.idColumn}, ${shownJobText(s.job)}) -> ${s.job.target} on ${s.job.database}`,
    `model       ${s.job.model}@${s.job.modelHash.slice(0, 12)}${s.job.profile === undefined ? '' : ` ${s.job.profile}`}, ${s.job.dimension} dimensions`,
    `profile     ${s.profile === null ? 'mean pooling, normalised, no prompt, every dimension (recorded before profiles were)' : describeProfile(s.profile)}`,
    `rows        ${n(s.rowsDone)} of ${n(s.rowsTotal)} done (${s.percent.toFixed(1)}%), ${n(s.rowsTotal - s.rowsDone)} to go${s.checkingTarget ? ' (checking each against the target)' : ''}`,
    ...(s.chunks === null
      ? []
      : [`chunks      ${n(s.chunks.chunks)} for ${n(s.chunks.rows)} rows (window ${s.job.chunk} tokens${perRow(s.chunks)})`]),
    ...(s.waiting.late + s.waiting.changed > 0
      ? [`waiting     ${n(s.waiting.new)} new, ${n(s.waiting.late)} committed late, ${n(s.waiting.changed)} changed`]
      : []),
    `last run    ${lastRun}`,
    `ETA         ${eta}`,
    `failures    ${n(s.failures)}${s.failures > 0 ? ' (embed failures lists them, embed --retry-failed retries them)' : ''}`,
    `running     ${s.runningPid === null ? 'no' : `yes, pid ${s.runningPid}`}`,
    `index       ${describeIndexStatus(s.index)}`,
    ...(s.watch === null ? [] : [`watching    ${formatWatch(s.watch)}`]),
    `state file  ${s.stateFile}`,
    databaseLine(s.database),
    ...(s.distributed === null ? [] : formatQueueStatus(s.distributed, formatDuration)),
  ];
  return `${lines.join('\n')}\n`;
}
