/**
 * `embed watch <table> [batchSize]`: everything a plain run checks and opens, once; then the watch
 * loop (watch-loop.ts) until Ctrl-C or SIGTERM, which finish the batches in flight and save progress
 * (exit 0). The trigger is installed first when asked (--install-trigger), and the metrics are served
 * when asked (--metrics-port).
 */
import { UsageError } from '../../../common/errors.js';
import { resolveEmbedConfig, type EmbedConfig } from '../../cli/config.js';
import { EXIT } from '../../cli/exit-codes.js';
import type { WatchArgs } from '../../cli/options.js';
import { explainServerError } from '../../db/database.js';
import { locateModel, withFileHash, type ModelInfo } from '../../model/model-folder.js';
import { EngineMetrics } from '../../observe/engine-metrics.js';
import { eventLog, type EventLog } from '../../observe/event-log.js';
import { serveMetrics, type MetricsServer } from '../../observe/metrics-server.js';
import { modelsDir } from '../../paths.js';
import { openJob, type OpenJob } from '../../run/open-job.js';
import { workerConfig } from '../../run/worker-config.js';
import { createWorkerPool, type WorkerPool } from '../../run/worker-pool.js';
import { modelLabel } from '../../target/target-table.js';
import { installChangeTrigger } from '../../watch/change-trigger.js';
import { watchLoop } from './watch-loop.js';

export async function watch(args: WatchArgs): Promise<number> {
  const config = resolveEmbedConfig(args);
  if (config.mode !== 'continue') {
    throw new UsageError(`--${config.mode} is for a plain run (embed ${args.table} --${config.mode}); run it first, then embed watch`);
  }
  if (config.limit !== undefined) throw new UsageError('--limit does not apply to embed watch, which keeps the whole table embedded');
  const log = eventLog(config.logFormat, { quiet: config.quiet });
  const files = await locateModel(config.model, config.dtype, { modelsDir: modelsDir(), allowDownload: true });
  const pool = createWorkerPool(workerConfig(config, files), config.workers);
  const modelLoads = pool.ready();
  modelLoads.catch(() => undefined);
  try {
    const model = await withFileHash(files);
    // A watcher waits for a lost database as long as it takes, unless told a budget.
    const budgetSeconds = args.dbDownBudget === undefined ? Number.POSITIVE_INFINITY : config.dbDownBudgetSeconds;
    return await watchWithPool(config, args, model, pool, modelLoads, log, budgetSeconds);
  } finally {
    await pool.close();
  }
}

async function watchWithPool(
  config: EmbedConfig,
  args: WatchArgs,
  model: ModelInfo,
  pool: WorkerPool,
  modelLoads: Promise<void>,
  log: EventLog,
  budgetSeconds: number,
): Promise<number> {
  let metrics: EngineMetrics | undefined;
  let opened: OpenJob | undefined;
  let server: MetricsServer | undefined;
  try {
    opened = await openJob(config, model, modelLoads, { log, up: (up) => metrics?.database(up), budgetSeconds });
    const { breaker } = opened;
    if (config.metricsPort !== undefined) {
      metrics = new EngineMetrics({ table: opened.source.sql, model: modelLabel(model) }, { workersComputing: () => pool.computing() });
      metrics.modelReady();
      server = await serveMetrics(metrics, config.metricsPort, () => ({ ok: true, detail: breaker.isOpen ? 'watching; database away' : 'watching' }));
    }
    if (args.installTrigger) {
      const changes = await installChangeTrigger(opened.client, opened.source);
      for (const change of changes) log.event('trigger', change, { change });
      if (changes.length === 0) log.event('trigger', `trigger embed_watch is already on ${opened.source.sql}; nothing changed`);
    }
    await watchLoop(config, { ...opened, pool, model, log, metrics, metricsPort: server?.port });
    return EXIT.done;
  } catch (error) {
    throw explainServerError(error, config);
  } finally {
    await opened?.close();
    await server?.close(config.metricsLingerSeconds);
  }
}
