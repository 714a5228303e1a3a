/**
 * `embed <table> --distributed`: this host joins the job's queue (refused when its model is not the
 * job's), plans a pass if none is unfinished, embeds ranges until none waits or runs (see
 * src/distributed/host-loop.ts), and reports like a single-host run. The host's own state file keeps
 * its runs; progress lives in the queue.
 */
import type pg from 'pg';
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import { rowsPerTask, type EmbedConfig } from '../config/config.js';
import { EXIT } from '../process/exit-codes.js';
import { watchRunInterrupts } from '../process/interrupt.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { openPool, type Queryable } from '../db/database.js';
import { joinJob, joinOrPlanPass, queueName, type Pass } from './distributed-job.js';
import { joinPass } from './host-records.js';
import { noHostStats, runHost, type HostStats } from './host-loop.js';
import { lease } from './lease.js';
import { passProgress } from './pass-progress.js';
import { passStatus } from './pass-status.js';
import { hostName, rangeRetryLimit, RangeQueue } from './range-queue.js';
import { rangeSizing } from './range-sizes.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import { jobIdentity, openJobState, targetOptions } from '../job/open-job.js';
import { formatReport } from '../job/run-summary.js';
import type { SourceTable } from '../source/source-table.js';
import type { JobState } from '../state/job-state.js';
import type { StateStore } from '../state/state-store.js';
import { claimTarget, explainOtherDimension, type ModelStamp } from '../target/target-marker.js';
import { describeTarget, modelLabel, prepareTarget, type Target } from '../target/target-table.js';
import { retryOnThisHost } from './retry-failed-run.js';
import { indexWhenPassDone } from './pass-index.js';
import { runReport } from '../job/run-report.js';
import { lockKeySql, unlockKeySql } from './queue-sql.js';

export interface HostRunSetup {
  config: EmbedConfig;
  model: ModelInfo;
  client: pg.Client;
  db: Queryable;
  breaker: CircuitBreaker;
  source: SourceTable;
  connection: ConnectionConfig;
  startedAt: number;
  /** Runs a task on this host's pool, writing to `target`. */
  sendTask: (task: BatchTask, target: Target) => Promise<BatchResult>;
  /** Tasks this host keeps in flight. */
  maxInFlight: number;
}

export async function embedDistributed(parts: HostRunSetup): Promise<number> {
  const { config, model, client, source } = parts;
  const say = (line: string) => {
    if (!config.quiet) process.stderr.write(`embed: ${line}\n`);
  };
  const leaseTimes = lease(config.leaseSeconds);
  const options = targetOptions(config);
  const identity = jobIdentity(source, describeTarget(source, model, options), model);
  const name = queueName(identity);
  const queuePool = openPool(parts.connection, 4);
  let queue: RangeQueue | undefined;
  let state: StateStore | undefined;
  let job: JobState | undefined;
  try {
    queue = await RangeQueue.open(queuePool, name, leaseTimes, (error) => say(`queue: ${error.message.split('\n')[0]}`));
    await joinJob(client, name, identity);
    const stamp = { label: modelLabel(model), tokenizerHash: model.tokenizerHash };
    const target = await prepareTargetOnce(client, name, stamp, () =>
      prepareTarget(client, source, model, options).catch((error: unknown) =>
        explainOtherDimension(client, describeTarget(source, model, options), stamp.label, error),
      ),
    );
    ({ state, job } = openJobState(config, parts.connection, source, target, model));
    const report = (
      outcome: 'completed' | 'interrupted',
      stats: HostStats,
      passNumber: number | null,
      share = `${stats.rangesDone} ranges of pass ${passNumber ?? '-'}`,
    ) => {
      const elapsedSeconds = (performance.now() - parts.startedAt) / 1000;
      const rowsPerSecond = stats.rowsEmbedded / Math.max(elapsedSeconds, 1e-9);
      const summary = {
        ...runReport(config, {
          outcome,
          model,
          source,
          target,
          stats,
          elapsedSeconds,
          rowsPerSecond,
          stateFile: state!.file,
          metrics: undefined,
        }),
        distributed: { pass: passNumber, host: hostName, ranges: stats.rangesDone },
      };
      const text = `${formatReport(summary)}  host ${hostName}: ${share}\n`;
      process.stdout.write(config.json ? `${JSON.stringify(summary)}\n` : config.quiet ? '' : text);
      return rowsPerSecond;
    };
    if (config.mode === 'retry-failed') return await retryOnThisHost(parts, { queuePool, queue: name, target, job, report, say });
    const taskRows = rowsPerTask(config.batchSize, config.sortWindow);
    const sizing = rangeSizing(taskRows, config.batchSize);
    // One transaction: a session lost inside it (a host paused for longer than the lease) plans or joins again.
    const pass = await parts.breaker.retry(() => joinOrPlanPass(queuePool, queue!, source, target, sizing));
    if (pass === undefined || pass.finished) {
      say(
        pass === undefined
          ? `${source.sql} has no rows to embed`
          : `nothing to embed: pass ${pass.number} is finished and no row was added, committed late or changed since it started`,
      );
      report('completed', noHostStats(), pass?.number ?? null);
      // A finished pass whose index is missing or was left invalid by a killed build.
      if (pass !== undefined)
        await indexWhenPassDone(config, parts.connection, target, { pool: queuePool, queue: name, number: pass.number }, say);
      return EXIT.done;
    }
    say(
      pass.plannedNow
        ? `planned pass ${pass.number}: ${pass.rows} rows in ${pass.ranges} ranges, queue ${name}; other hosts join with the same command${pass.note ? ` (note: ${pass.note})` : ''}`
        : `joined pass ${pass.number} (${pass.rows} rows in ${pass.ranges} ranges, planned by ${pass.plannedBy})`,
    );
    await parts.breaker.retry(() => joinPass(queuePool, name, pass.number));
    const runId = job.startRun();
    const stats = await runThisHost(parts, { queue, queuePool, pass, target, taskRows, leaseTimes, say }).catch((error: unknown) => {
      job!.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'failed' });
      throw error;
    });
    const rowsPerSecond = report(stats.outcome, stats, pass.number);
    job.endRun(runId, {
      rows: stats.rowsEmbedded,
      skipped: stats.rowsSkipped,
      failed: stats.rowsFailed,
      rowsPerSecond,
      outcome: stats.outcome,
    });
    if (stats.outcome === 'interrupted') {
      process.stderr.write("interrupted: this host's unfinished ranges went back to the queue; the other hosts go on\n");
      return EXIT.interrupted;
    }
    const code = await parts.breaker.retry(() => passOutcome(queuePool, name, pass, config.table.name));
    await indexWhenPassDone(config, parts.connection, target, { pool: queuePool, queue: name, number: pass.number }, say);
    return code;
  } finally {
    job?.unlock();
    state?.close();
    await queue?.stop().catch(() => undefined);
    await queuePool.end().catch(() => undefined);
  }
}

/** Hosts arriving together would race to create the target: one at a time. */
async function prepareTargetOnce(client: pg.Client, queue: string, model: ModelStamp, prepare: () => Promise<Target>): Promise<Target> {
  const lock = lockKeySql(`${queue}/target`);
  await client.query(lock.text, lock.values);
  try {
    const target = await prepare();
    await claimTarget(client, target, model, { restart: false });
    return target;
  } finally {
    const unlock = unlockKeySql(`${queue}/target`);
    await client.query(unlock.text, unlock.values);
  }
}

async function runThisHost(
  parts: HostRunSetup,
  run: {
    queue: RangeQueue;
    queuePool: pg.Pool;
    pass: Pass;
    target: Target;
    taskRows: number;
    leaseTimes: ReturnType<typeof lease>;
    say: (line: string) => void;
  },
): Promise<HostStats & { outcome: 'completed' | 'interrupted' }> {
  const { config } = parts;
  const bar = await parts.breaker.retry(() =>
    passProgress(run.queuePool, run.queue.name, run.pass, { quiet: config.quiet || config.json, startedAt: parts.startedAt }),
  );
  const interrupts = watchRunInterrupts(
    parts.breaker,
    "interrupted while waiting for the database; this host's ranges go back to the others",
    () => bar.stop(),
  );
  try {
    const stats = await runHost({
      queue: run.queue,
      queuePool: run.queuePool,
      pass: run.pass,
      lease: run.leaseTimes,
      db: parts.db,
      source: parts.source,
      target: run.target,
      sendTask: (task) => parts.sendTask(task, run.target),
      breaker: parts.breaker,
      taskRows: run.taskRows,
      maxInFlight: parts.maxInFlight,
      stopRequested: () => interrupts.requested,
      progress: bar,
      warn: run.say,
    });
    return { ...stats, outcome: interrupts.requested ? 'interrupted' : 'completed' };
  } finally {
    bar.stop();
    interrupts.dispose();
  }
}

/** Done for every host: exit 3 when a range failed or rows failed on any host. */
async function passOutcome(pool: pg.Pool, queue: string, pass: Pass, table: string): Promise<number> {
  const whole = await passStatus(pool, queue, pass.number);
  if (whole.ranges.failed > 0) {
    process.stderr.write(
      `embed: ${whole.ranges.failed} range(s) of pass ${pass.number} failed: taken up ${rangeRetryLimit + 1} times by hosts that stopped before finishing them; see embed status ${table}\n`,
    );
    return EXIT.completedWithFailures;
  }
  if (whole.failedRows > 0) {
    process.stderr.write(
      `embed: ${whole.failedRows} row(s) failed on the job's hosts; they are kept in the queue schema; list them with "embed failures ${table}"\n`,
    );
    return EXIT.completedWithFailures;
  }
  return EXIT.done;
}
