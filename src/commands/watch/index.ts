/**
 * `embed watch <table> [batchSize]`: everything a plain run checks and opens, once; then the watch
 * loop (src/watch/watch-loop.ts) until Ctrl-C or SIGTERM, which finish the batches in flight and save progress
 * (exit 0). The trigger is installed first when asked (--install-trigger), and the metrics are served
 * when asked (--metrics-port).
 */
import { UsageError } from '../../../common/errors.js';
import { resolveEmbedConfig, type EmbedConfig } from '../../config/config.js';
import { EXIT } from '../../process/exit-codes.js';
import type { WatchArgs } from '../../config/options.js';
import { explainServerError } from '../../db/database.js';
import type { EngineMetrics } from '../../observe/engine-metrics.js';
import { eventLog, type EventLog } from '../../observe/event-log.js';
import { serveJobMetrics, type ServedMetrics } from '../../job/job-metrics.js';
import { withModelPool, type ModelPool } from '../../job/model-pool.js';
import { openJob, type OpenJob } from '../../job/open-job.js';
import { installChangeTrigger } from '../../watch/change-trigger.js';
import { watchLoop } from '../../watch/watch-loop.js';

export async function watch(args: WatchArgs): Promise<number> {
  const config = resolveEmbedConfig(args);
  if (config.mode !== 'continue') {
    throw new UsageError(`--${config.mode} is for a plain run (embed ${args.table} --${config.mode}); run it first, then embed watch`);
  }
  if (config.limit !== undefined) throw new UsageError('--limit does not apply to embed watch, which keeps the whole table embedded');
  const log = eventLog(config.logFormat, { quiet: config.quiet });
  // A watcher waits for a lost database as long as it takes, unless told a budget.
  const budgetSeconds = args.dbDownBudget === undefined ? Number.POSITIVE_INFINITY : config.dbDownBudgetSeconds;
  return await withModelPool(config, (parts) => watchWithPool(config, args, parts, log, budgetSeconds));
}

async function watchWithPool(
  config: EmbedConfig,
  args: WatchArgs,
  { pool, model, modelLoads }: ModelPool,
  log: EventLog,
  budgetSeconds: number,
): Promise<number> {
  let metrics: EngineMetrics | undefined;
  let opened: OpenJob | undefined;
  let served: ServedMetrics | undefined;
  try {
    opened = await openJob(config, model, modelLoads, { log, up: (up) => metrics?.database(up), budgetSeconds });
    if (config.metricsPort !== undefined) {
      served = await serveJobMetrics(config.metricsPort, opened.source.sql, model, opened.breaker, 'watching', () => pool.computing());
      metrics = served.metrics;
    }
    if (args.installTrigger) {
      const changes = await installChangeTrigger(opened.client, opened.source);
      for (const change of changes) log.event('trigger', change, { change });
      if (changes.length === 0) log.event('trigger', `trigger embed_watch is already on ${opened.source.sql}; nothing changed`);
    }
    await watchLoop(config, { ...opened, pool, model, log, metrics, metricsPort: served?.server.port });
    return EXIT.done;
  } catch (error) {
    throw explainServerError(error, config);
  } finally {
    await opened?.close();
    await served?.server.close(config.metricsLingerSeconds);
  }
}
