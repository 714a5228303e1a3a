/**
 * `embed <table> [batchSize]`: checks everything it can before starting a thread (config, model folder,
 * table, target, state lock), then runs the loop (run.ts) and reports (report.ts). Returns the process
 * exit code.
 */
import { resolveEmbedConfig, type EmbedArgs, type EmbedConfig } from '../../cli/config.js';
import { EXIT } from '../../cli/exit-codes.js';
import { connect, databaseIdentity, explainServerError } from '../../db/database.js';
import { ReconnectingClient } from '../../db/reconnecting-client.js';
import { locateModel, withFileHash, type ModelInfo } from '../../model/model-folder.js';
import { EngineMetrics } from '../../observe/engine-metrics.js';
import { eventLog } from '../../observe/event-log.js';
import { loopObserver } from '../../observe/loop-observer.js';
import { serveMetrics, type MetricsServer } from '../../observe/metrics-server.js';
import { modelsDir } from '../../paths.js';
import { databaseBreaker } from '../../run/database-breaker.js';
import { planResume } from '../../run/resume-plan.js';
import { formatReport } from '../../run/run-summary.js';
import { runSessionName, sessionConnection, tasksInFlight, workerConfig } from '../../run/worker-config.js';
import { createWorkerPool, type WorkerPool } from '../../run/worker-pool.js';
import { describeSource } from '../../source/source-table.js';
import type { JobState } from '../../state/job-state.js';
import { StateStore } from '../../state/state-store.js';
import { modelLabel, prepareTarget } from '../../target/target-table.js';
import { embedDistributed } from './distributed.js';
import { run } from './run.js';

export async function embed(args: EmbedArgs): Promise<number> {
  const startedAt = performance.now();
  const config = resolveEmbedConfig(args);
  const files = await locateModel(config.model, config.dtype, { modelsDir: modelsDir(), allowDownload: true });
  const pool = createWorkerPool(workerConfig(config, files), config.workers);
  // The workers load the model while the database is looked at; one must have loaded it before the
  // target is created or claimed, so that a model that cannot load stops the run with nothing written.
  const modelLoads = pool.ready();
  modelLoads.catch(() => undefined);
  try {
    // Hashed while the workers load it.
    const model = await withFileHash(files);
    return await embedWithPool(args.table, config, model, pool, modelLoads, startedAt);
  } finally {
    await pool.close();
  }
}

async function embedWithPool(
  /** As the user typed it, for the advice printed at the end. */
  table: string,
  config: EmbedConfig,
  model: ModelInfo,
  pool: WorkerPool,
  modelLoads: Promise<void>,
  startedAt: number,
): Promise<number> {
  const log = eventLog(config.logFormat, { quiet: config.quiet });
  let metrics: EngineMetrics | undefined;
  let server: MetricsServer | undefined;
  const connection = sessionConnection(config);
  const client = await connect(connection);
  const breaker = databaseBreaker(config, connection, { ...(config.logFormat === 'json' && { log }), up: (up) => metrics?.database(up) });
  // Setup runs on the plain client (a failure there is reported, not waited out); the run's reads go
  // through this one, which waits for the database when it goes away.
  const db = new ReconnectingClient(client, connection, breaker);
  let state: StateStore | undefined;
  let job: JobState | undefined;
  try {
    const source = await describeSource(client, config.table, config.idColumn, config.textColumn, { castText: config.castText });
    await modelLoads;
    if (config.distributed) {
      return await embedDistributed({
        config,
        model,
        client,
        db,
        breaker,
        source,
        connection,
        startedAt,
        runTask: (task, target) =>
          pool.run({
            ...task,
            target: {
              plan: target.plan,
              context: { target: target.display, lockTimeoutSeconds: config.lockTimeoutSeconds, statementTimeoutSeconds: config.statementTimeoutSeconds },
            },
          }),
        maxInFlight: tasksInFlight(config),
      });
    }
    const target = await prepareTarget(client, source, model, {
      target: config.target,
      column: config.column,
      method: config.writeMethod,
      metrics: config.metrics.mode,
    });
    state = StateStore.open(config.statePath, { ifCorrupt: 'move-aside' });
    job = state.job({
      database: databaseIdentity(connection),
      source: source.sql,
      idColumn: source.idColumn,
      textColumn: source.textColumn,
      target: target.display,
      model: model.name,
      modelHash: model.fileHash,
      dimension: model.dimension,
    });
    job.lock();
    if (config.metricsPort !== undefined) {
      metrics = new EngineMetrics({ table: source.sql, model: modelLabel(model) }, { workersComputing: () => pool.computing() });
      metrics.modelReady();
      server = await serveMetrics(metrics, config.metricsPort, () => ({ ok: true, detail: breaker.isOpen ? 'running; database away' : 'running' }));
      log.event('note', `serving metrics at http://localhost:${server.port}/metrics`, { metricsPort: server.port });
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
      metrics || config.logFormat === 'json'
        ? loopObserver({ metrics, log: config.logFormat === 'json' ? log : undefined })
        : undefined;
    const report = await run(config, { pool, startedAt, model, client, db, breaker, source, target, job, plan, stateFile: state.file, observer });
    process.stdout.write(config.json ? JSON.stringify(report) + '\n' : config.quiet ? '' : formatReport(report));
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
    job?.unlock();
    state?.close();
    await db.end();
    if (server && config.metricsLingerSeconds > 0) {
      log.event('note', `run ended; serving the final metrics at http://localhost:${server.port}/metrics until one scrape reads them, at most ${config.metricsLingerSeconds} s`);
    }
    await server?.close(config.metricsLingerSeconds);
  }
}
