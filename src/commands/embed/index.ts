/**
 * `embed <table> [batchSize]`: checks everything it can before starting a thread (config, model folder,
 * table, target, state lock), then runs the job (src/job/plain-run.ts, or src/distributed/host-run.ts
 * with --distributed) and prints its report. Returns the process exit code.
 */
import { resolveEmbedConfig, type EmbedArgs, type EmbedConfig } from '../../config/config.js';
import { EXIT } from '../../process/exit-codes.js';
import { explainServerError } from '../../db/database.js';
import type { EngineMetrics } from '../../observe/engine-metrics.js';
import { eventLog } from '../../observe/event-log.js';
import { loopObserver } from '../../pass/loop-observer.js';
import { serveJobMetrics, type ServedMetrics } from '../../job/job-metrics.js';
import { withModelPool, type ModelPool } from '../../job/model-pool.js';
import { openJobConnection, openJobTarget, type OpenJob } from '../../job/open-job.js';
import { planResume } from '../../pass/resume-plan.js';
import { formatReport } from '../../job/run-summary.js';
import { runSessionName, tasksInFlight } from '../../pass/worker-config.js';
import { modelLabel } from '../../target/target-table.js';
import { embedDistributed } from '../../distributed/host-run.js';
import { plainRun } from '../../job/plain-run.js';

export async function embed(args: EmbedArgs): Promise<number> {
  const startedAt = performance.now();
  const config = resolveEmbedConfig(args);
  return await withModelPool(config, (parts) => embedWithPool(args.table, config, parts, startedAt));
}

async function embedWithPool(
  /** As the user typed it, for the advice printed at the end. */
  table: string,
  config: EmbedConfig,
  { pool, model, modelLoads }: ModelPool,
  startedAt: number,
): Promise<number> {
  const log = eventLog(config.logFormat, { quiet: config.quiet });
  let metrics: EngineMetrics | undefined;
  let served: ServedMetrics | undefined;
  let opened: OpenJob | undefined;
  try {
    const connected = await openJobConnection(config, { ...(config.logFormat === 'json' && { log }), up: (up) => metrics?.database(up) });
    try {
      await modelLoads;
      if (config.distributed) {
        return await embedDistributed({
          ...connected,
          config,
          model,
          startedAt,
          sendTask: (task, target) =>
            pool.run({
              ...task,
              target: {
                plan: target.plan,
                context: {
                  target: target.display,
                  lockTimeoutSeconds: config.lockTimeoutSeconds,
                  statementTimeoutSeconds: config.statementTimeoutSeconds,
                },
              },
            }),
          maxInFlight: tasksInFlight(config),
        });
      }
      opened = await openJobTarget(config, connected, model);
    } finally {
      if (opened === undefined) await connected.db.end();
    }
    const { client, db, breaker, source, target, state, job } = opened;
    if (config.metricsPort !== undefined) {
      served = await serveJobMetrics(config.metricsPort, source.sql, model, breaker, 'running', () => pool.computing());
      metrics = served.metrics;
      log.event('note', `serving metrics at http://localhost:${served.server.port}/metrics`, { metricsPort: served.server.port });
    }
    const plan = await planResume(client, job, source, target, modelLabel(model), state, {
      refresh: config.mode === 'refresh',
      rebuildState: config.mode === 'rebuild-state',
      restart: config.mode === 'restart',
      catchUp: config.mode !== 'retry-failed',
      capture: { ownSessions: runSessionName },
    });
    if (plan.warning !== undefined) log.event('warning', plan.warning);
    if (plan.note !== undefined) log.event('note', plan.note);
    if (config.mode === 'refresh' && target.ref.kind === 'column') {
      log.event('note', 'a --column target keeps no content hash, so --refresh finds rows never embedded but not changed texts');
    }
    const observer =
      metrics || config.logFormat === 'json' ? loopObserver({ metrics, log: config.logFormat === 'json' ? log : undefined }) : undefined;
    const report = await plainRun(config, {
      pool,
      startedAt,
      model,
      db,
      breaker,
      source,
      target,
      job,
      plan,
      stateFile: state.file,
      observer,
      connection: opened.connection,
    });
    process.stdout.write(config.json ? `${JSON.stringify(report)}\n` : config.quiet ? '' : formatReport(report));
    if (report.outcome === 'interrupted') {
      process.stderr.write('interrupted: progress is saved; run the same command again to resume\n');
      return EXIT.interrupted;
    }
    if (report.rowsFailed > 0) {
      process.stderr.write(
        `embed: ${report.rowsFailed} row(s) failed and were recorded in ${state.file}; list them with "embed failures ${table}", retry them with --retry-failed\n`,
      );
      return EXIT.completedWithFailures;
    }
    return EXIT.done;
  } catch (error) {
    throw explainServerError(error, config);
  } finally {
    await opened?.close();
    const server = served?.server;
    if (server && config.metricsLingerSeconds > 0) {
      log.event(
        'note',
        `run ended; serving the final metrics at http://localhost:${server.port}/metrics until one scrape reads them, at most ${config.metricsLingerSeconds} s`,
      );
    }
    await server?.close(config.metricsLingerSeconds);
  }
}
