/**
 * `embed <table> [batchSize]`: checks everything it can before starting a thread (config, model folder,
 * table, target, state lock), then runs the loop and reports. Returns the process exit code.
 */
import type pg from 'pg';
import type { WorkerConfig } from '../batch-task.js';
import { CommitLedger } from '../commit-ledger.js';
import { resolveEmbedConfig, type EmbedArgs, type EmbedConfig } from '../config.js';
import { connect, connectionConfig, databaseIdentity } from '../database.js';
import { runEmbedLoop, type LoopStats } from '../embed-loop.js';
import { EXIT } from '../errors.js';
import { watchInterrupts } from '../interrupt.js';
import { resolveModel, type ModelInfo } from '../model-folder.js';
import { modelsDir } from '../paths.js';
import { createProgress } from '../progress.js';
import { readPages } from '../row-reader.js';
import { formatReport, type RunReport } from '../run-summary.js';
import { describeSource, type SourceTable } from '../source-table.js';
import { StateStore, type JobState } from '../state-store.js';
import { prepareTarget, type Target } from '../target-table.js';

export type EmbedOptions = EmbedArgs;

export async function embed(args: EmbedOptions): Promise<number> {
  const config = resolveEmbedConfig(args);
  const model = await resolveModel(config.model, config.dtype, { modelsDir: modelsDir(), allowDownload: true });
  const connection = connectionConfig(config.databaseUrl);
  const client = await connect(connection);
  let state: StateStore | undefined;
  let job: JobState | undefined;
  try {
    const source = await describeSource(client, config.table, config.idColumn, config.textColumn);
    const target = await prepareTarget(client, source, model, {
      target: config.target,
      column: config.column,
      method: config.writeMethod,
    });
    state = StateStore.open(config.statePath);
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
    const report = await run(config, model, client, source, target, job, state.file);
    process.stdout.write(config.json ? JSON.stringify(report) + '\n' : config.quiet ? '' : formatReport(report));
    if (report.outcome === 'interrupted') {
      process.stderr.write('interrupted: progress is saved; run the same command again to resume\n');
      return EXIT.interrupted;
    }
    return EXIT.done;
  } finally {
    job?.unlock();
    state?.close();
    await client.end();
  }
}

async function run(
  config: EmbedConfig,
  model: ModelInfo,
  client: pg.Client,
  source: SourceTable,
  target: Target,
  job: JobState,
  stateFile: string,
): Promise<RunReport> {
  const startedAt = performance.now();
  const runId = job.startRun();
  const progress = job.progress();
  const ledger = new CommitLedger(progress.watermark, progress.ranges);
  const total = await estimateRows(client, source, config.limit);
  const bar = createProgress(total, { quiet: config.quiet || config.json });
  const interrupts = watchInterrupts(() => bar.stop());
  const { createWorkerPool } = await import('../worker-pool.js');
  const pool = createWorkerPool(workerConfig(config, model, target), config.workers);
  let stats: LoopStats;
  try {
    stats = await runEmbedLoop({
      pages: readPages(client, source, {
        after: progress.watermark,
        exclude: progress.ranges,
        pageSize: config.batchSize * 8,
        limit: config.limit,
      }),
      runBatch: (task) => pool.run(task),
      ledger,
      job,
      batchSize: config.batchSize,
      maxInFlight: config.workers * 2,
      stopRequested: () => interrupts.requested,
      onProgress: (rows) => bar.update(progress.rowsDone + rows),
    });
  } catch (error) {
    job.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'failed' });
    throw error;
  } finally {
    bar.stop();
    interrupts.dispose();
    await pool.close();
  }
  const readToEnd = !interrupts.requested && (config.limit === undefined || stats.rowsRead < config.limit);
  if (readToEnd) {
    ledger.finish(await highestId(client, source, [stats.lastRead, ...progress.ranges.map((r) => r.last)]));
    job.saveProgress(ledger.currentWatermark, ledger.ranges, 0);
  }
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const rowsPerSecond = stats.rowsEmbedded / Math.max(elapsedSeconds, 1e-9);
  const outcome = interrupts.requested ? 'interrupted' : 'completed';
  job.endRun(runId, { rows: stats.rowsEmbedded, skipped: stats.rowsSkipped, failed: 0, rowsPerSecond, outcome });
  const busy = stats.readMs + stats.tokenizeMs + stats.inferenceMs + stats.writeMs || 1;
  return {
    outcome,
    table: source.sql,
    target: target.display,
    model: model.name,
    dtype: model.dtype,
    device: config.device,
    workers: config.workers,
    threads: config.threads,
    batchSize: config.batchSize,
    rowsEmbedded: stats.rowsEmbedded,
    rowsSkipped: stats.rowsSkipped,
    rowsFailed: 0,
    rowsTruncated: stats.truncated,
    elapsedSeconds,
    rowsPerSecond,
    paddingWaste: stats.realTokens > 0 ? stats.paddedTokens / stats.realTokens : 1,
    timeShare: {
      read: stats.readMs / busy,
      tokenize: stats.tokenizeMs / busy,
      inference: stats.inferenceMs / busy,
      write: stats.writeMs / busy,
    },
    stateFile,
  };
}

function workerConfig(config: EmbedConfig, model: ModelInfo, target: Target): WorkerConfig {
  return {
    modelDir: model.dir,
    onnxFile: model.onnxFile,
    maxSequenceLength: model.maxSequenceLength,
    threads: config.threads,
    device: config.device,
    maxBatchTokens: config.maxBatchTokens,
    connection: connectionConfig(config.databaseUrl),
    plan: target.plan,
  };
}

/** The planner's estimate, or a count when the table was never analysed. */
async function estimateRows(client: pg.Client, source: SourceTable, limit: number | undefined): Promise<number> {
  let total = source.estimatedRows;
  if (total <= 0) {
    total = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${source.sql}`)).rows[0]!.n);
  }
  return limit === undefined ? total : Math.min(total, limit);
}

/** The largest of some ids, compared by PostgreSQL in the id column's own type. */
async function highestId(client: pg.Client, source: SourceTable, ids: (string | null)[]): Promise<string | null> {
  const present = ids.filter((id): id is string => id !== null);
  if (present.length === 0) return null;
  // ORDER BY rather than max(): not every orderable type (uuid on older servers) has a max aggregate.
  const result = await client.query<{ id: string }>(
    `SELECT v::${source.idType}::text AS id FROM unnest($1::text[]) AS v ORDER BY v::${source.idType} DESC LIMIT 1`,
    [present],
  );
  return result.rows[0]!.id;
}
