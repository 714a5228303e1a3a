/**
 * The watch loop: look at the table (a plain run's pass: resume, or catch up on the rows written since
 * the last complete pass, or nothing when the table's counters show no change), then wait for a
 * notification (with the trigger) or for the poll interval, which adapts (see watch/poll-interval.ts),
 * and look again. A lost database is waited for (the circuit breaker), then the loop catches up; a
 * table dropped or altered, or a model file changed on disk, stops it with one line.
 */
import type pg from 'pg';
import { EmbedError } from '../../common/errors.js';
import { rowsForNextRun } from '../change-capture/next-run.js';
import type { EmbedConfig } from '../config/config.js';
import { watchRunInterrupts } from '../process/interrupt.js';
import { connect } from '../db/database.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { EngineMetrics } from '../observe/engine-metrics.js';
import type { EventLog } from '../observe/event-log.js';
import { loopObserver } from '../pass/loop-observer.js';
import { embedPass, recordSnapshotInComment } from '../pass/embed-pass.js';
import type { OpenJob } from '../job/open-job.js';
import { planResume, type ResumePlan } from '../pass/resume-plan.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import { runSessionName } from '../pass/worker-config.js';
import type { WorkerPool } from '../pass/worker-pool.js';
import { modelLabel } from '../target/target-table.js';
import { changeTriggerState, tableOid } from './change-trigger.js';
import { commitTimestampsSql } from './watch-sql.js';
import { listenForChanges, timerOnly, type ChangeListener } from './change-listener.js';
import { LagWindow } from './lag-window.js';
import { ModelGuard } from './model-guard.js';
import { CommentPace } from './comment-pace.js';
import { nextPollInterval, pollBounds, pollWaitMs } from './poll-interval.js';
import { mayBeAlteredTable, SourceGuard } from './source-guard.js';
import { indexOnceCaughtUp, type WatchIndex } from './watch-index.js';

export interface WatchSetup extends OpenJob {
  pool: WorkerPool;
  model: ModelInfo;
  log: EventLog;
  metrics?: EngineMetrics;
  metricsPort?: number;
}

/** With the trigger, a look at the table this often all the same: notifications are hints only. */
const backstopMs = 10_000;

export async function watchLoop(config: EmbedConfig, parts: WatchSetup): Promise<void> {
  const { pool, model, log, metrics, job, source, target, state, breaker, connection } = parts;
  let client: pg.Client = parts.client;
  const label = modelLabel(model);
  const trigger = await changeTriggerState(client, source);
  const triggered = trigger !== 'none';
  const commitTimes = (await client.query<{ on: boolean }>(commitTimestampsSql().text)).rows[0]!.on;
  const sourceGuard = await SourceGuard.start(client, source);
  const modelGuard = new ModelGuard(model);
  await modelGuard.start();
  const listener: ChangeListener = triggered ? await listenForChanges(connection, await tableOid(client, source)) : timerOnly();
  const lags = new LagWindow();
  const observer = loopObserver({ metrics, log, onLag: (seconds) => lags.add(seconds) });
  let stopping = false;
  const interrupts = watchRunInterrupts(breaker, 'stopped while waiting for the database; progress is saved', () => {
    stopping = true;
    listener.wake();
  });
  const runId = job.startRun();
  const watchRecords = job.watchRecords();
  const totals = { rows: 0, skipped: 0, failed: 0, busyMs: 0 };
  let backlog = 0;
  const commentPace = new CommentPace();
  /** The last look's plan: its marker is where the target's comment records a pass. */
  let lastPlan: ResumePlan | undefined;
  /** What embed status shows of this watcher (saved at most every few seconds). */
  const report = (rows: number) =>
    watchRecords.record({
      pid: process.pid,
      backlog: Math.max(0, rows),
      ...lags.summary(),
      lagMeasured: commitTimes,
      metricsPort: parts.metricsPort ?? null,
    });

  log.event(
    'start',
    `watching ${source.sql} into ${target.display} with ${label}, ${triggered ? 'notified by trigger embed_watch' : `polling every ${pollBounds.minMs / 1000}-${pollBounds.maxMs / 1000}s`}` +
      `${parts.metricsPort === undefined ? '' : `, metrics at http://localhost:${parts.metricsPort}/metrics`}; Ctrl-C or SIGTERM stops`,
    // The model profile with its notes, for the JSON log (the label names what differs from the default).
    {
      table: source.sql,
      target: target.display,
      model: label,
      profile: model.profile,
      mode: triggered ? 'trigger' : 'polling',
      metricsPort: parts.metricsPort ?? null,
      pid: process.pid,
    },
  );
  if (trigger === 'older') {
    log.event(
      'note',
      `trigger embed_watch on ${source.sql} is an earlier version's, woken by updates of any column: embed watch --install-trigger replaces it`,
    );
  }
  if (!commitTimes) {
    log.event(
      'note',
      'track_commit_timestamp is off on this server: freshness lag is not measured (turn it on in postgresql.conf to measure it)',
    );
  }

  /** When the last look started, and how long it took to find its work (not to embed it): see the wait below. */
  let lastLookStartedAt = 0;
  let lastFindingMs = 0;
  /** One look at the table: a pass when there may be rows to embed. Returns the rows read. */
  const look = async (): Promise<number> => {
    const findingStarted = performance.now();
    lastLookStartedAt = findingStarted;
    await sourceGuard.check(client);
    await modelGuard.check();
    const plan = await planResume(client, job, source, target, label, state, {
      refresh: false,
      rebuildState: false,
      restart: false,
      catchUp: true,
      capture: { ownSessions: runSessionName },
      countWaiting: true,
    });
    if (plan.warning !== undefined) log.event('warning', plan.warning);
    if (plan.note !== undefined) log.event('note', plan.note);
    lastPlan = plan;
    lastFindingMs = performance.now() - findingStarted;
    // Nothing to read and no pass started (the counters proved the table unchanged); a pass started with
    // nothing to read still runs, to complete it without a walk.
    if (plan.nothingToRead && !job.progress().passOpen) {
      backlog = 0;
      metrics?.setBacklog(0);
      return 0;
    }
    // A catch-up pass's backlog comes from the statement that cleared emptied texts: one scan, not two.
    const waiting = plan.waiting ?? (await rowsForNextRun(client, source, target, job.progress()));
    backlog = waiting.new + waiting.late + waiting.changed;
    metrics?.setBacklog(backlog);
    const startedAt = performance.now();
    const { stats } = await embedPass(
      config,
      { pool, db: parts.db, breaker, source, target, job, plan },
      {
        stopRequested: () => stopping,
        onProgress: (rows) => {
          metrics?.setBacklog(backlog - rows);
          // embed status sees a long catch-up drain, not only the backlog left after it.
          report(backlog - rows);
        },
        observer,
        commitTimes,
        rowsExpected: backlog,
        warn: (line) => log.event('warning', line),
        commentDue: () => commentPace.due(),
      },
    );
    totals.busyMs += performance.now() - startedAt;
    totals.rows += stats.rowsEmbedded;
    totals.skipped += stats.rowsSkipped;
    totals.failed += stats.rowsFailed;
    backlog = Math.max(0, backlog - stats.rowsRead);
    metrics?.setBacklog(backlog);
    return stats.rowsRead;
  };

  /** Ctrl-C or SIGTERM while the database was away: a stop like any other. */
  const stoppedWhileWaiting = (error: unknown) => stopping && error instanceof EmbedError && error.code === 'INTERRUPTED';
  let caughtUp = false;
  /** The vector index, built in the background once caught up (watch/watch-index.ts). */
  let index: WatchIndex | undefined;
  let interval = pollBounds.minMs;
  let outcome: 'completed' | 'failed' = 'failed';
  try {
    while (!stopping) {
      let found: number;
      try {
        // A lost connection: wait for the database, connect again and look again.
        found = await breaker.retry(look, {
          onOutage: async () => {
            client = await reconnect(client, connection, breaker);
          },
        });
      } catch (error) {
        if (stoppedWhileWaiting(error)) break;
        // The table changed under the pass: say how, in one line.
        if (mayBeAlteredTable(error)) await sourceGuard.check(client);
        throw error;
      }
      report(backlog);
      if (!caughtUp) {
        caughtUp = true;
        log.event('caught-up', `caught up: ${totals.rows.toLocaleString('en-US')} rows embedded; watching for changes`, {
          rows: totals.rows,
        });
      }
      if (index === undefined && !job.progress().passOpen && !stopping) {
        index = indexOnceCaughtUp(config, connection, target, log);
      }
      if (stopping) break;
      // Polling paces looks by their cost (watch/poll-interval.ts), so that a backlog drains without pauses.
      // With the trigger, a commit during the look has left its notification pending, which ends the wait at once.
      interval = nextPollInterval(interval, found > 0);
      const why = await listener.wait(triggered ? backstopMs : pollWaitMs(interval, lastFindingMs, performance.now() - lastLookStartedAt));
      if (why === 'reconnect')
        log.event('reconnected', 'listening for notifications again; looking at the table for what was written meanwhile');
    }
    outcome = 'completed';
  } finally {
    interrupts.dispose();
    await index?.stop();
    await listener.close();
    // Stopped as asked: the comment catches up with the last completed pass (see watch/comment-pace.ts).
    if (outcome === 'completed' && commentPace.owed && lastPlan) {
      await recordSnapshotInComment(client, target, lastPlan, job.progress().snapshot, (line) => log.event('warning', line));
    }
    const busySeconds = totals.busyMs / 1000;
    job.endRun(runId, {
      rows: totals.rows,
      skipped: totals.skipped,
      failed: totals.failed,
      rowsPerSecond: busySeconds > 0 ? totals.rows / busySeconds : 0,
      outcome,
    });
    watchRecords.clear();
    if (client !== parts.client) await client.end().catch(() => undefined);
  }
  log.event(
    'stop',
    `stopped: ${totals.rows.toLocaleString('en-US')} rows embedded while watching, ${totals.failed} failed; progress is saved`,
    {
      rows: totals.rows,
      failed: totals.failed,
    },
  );
}

/** A new set-up connection once the database answers again (the reads' client reconnects by itself). */
async function reconnect(old: pg.Client, connection: OpenJob['connection'], breaker: CircuitBreaker): Promise<pg.Client> {
  await old.end().catch(() => undefined);
  // Whatever stops a connection from being set up counts as the database still away.
  return await breaker.retry(() => connect(connection), { isOutage: () => true });
}
