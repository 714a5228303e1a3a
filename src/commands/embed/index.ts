/**
 * `embed <table> [batchSize]`: checks everything it can before starting a thread (config, model folder,
 * table, target, state lock), then runs the loop and reports. Returns the process exit code.
 */
import os from 'node:os';
import type pg from 'pg';
import type { WriteContext } from '../../../common/batch-failure.js';
import type { WorkerConfig } from '../../../common/batch-task.js';
import { CommitLedger } from '../../run/commit-ledger.js';
import { resolveEmbedConfig, rowsPerTask, type EmbedArgs, type EmbedConfig } from '../../cli/config.js';
import type { CircuitBreaker } from '../../run/circuit-breaker.js';
import { databaseBreaker } from '../../run/database-breaker.js';
import type { ConnectionConfig } from '../../../common/connection-config.js';
import { connect, connectionConfig, databaseIdentity, explainServerError, type Queryable } from '../../db/database.js';
import { runEmbedLoop, type LoopStats } from '../../run/embed-loop.js';
import { EmbedError } from '../../../common/errors.js';
import { EXIT } from '../../cli/exit-codes.js';
import { watchInterrupts } from '../../cli/interrupt.js';
import { locateModel, withFileHash, type ModelFiles, type ModelInfo } from '../../model/model-folder.js';
import { createComputeGate } from '../../../common/compute-gate.js';
import { createClaimBuffer } from '../../../common/input-claims.js';
import { finishMetrics } from '../../target/metrics-pass.js';
import { modelsDir } from '../../paths.js';
import { readFailedRows } from '../../source/failed-rows.js';
import { createProgress } from '../../run/progress.js';
import { planResume } from '../../run/resume-plan.js';
import { readPages } from '../../source/row-reader.js';
import { taskRowsAfter } from '../../run/task-size.js';
import { formatReport, type RunReport } from '../../run/run-summary.js';
import { describeSource, estimateRows, highestId, type SourceTable } from '../../source/source-table.js';
import type { JobState } from '../../state/job-state.js';
import { StateStore } from '../../state/state-store.js';
import { ReconnectingClient } from '../../db/reconnecting-client.js';
import { createWorkerPool, tasksPerWorker, type WorkerPool } from '../../run/worker-pool.js';
import { modelLabel, prepareTarget, type Target } from '../../target/target-table.js';

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
  const connection = sessionConnection(config);
  const client = await connect(connection);
  const breaker = databaseBreaker(config, connection);
  // Setup runs on the plain client (a failure there is reported, not waited out); the run's reads go
  // through this one, which waits for the database when it goes away.
  const db = new ReconnectingClient(client, connection, breaker);
  let state: StateStore | undefined;
  let job: JobState | undefined;
  try {
    const source = await describeSource(client, config.table, config.idColumn, config.textColumn, { castText: config.castText });
    await modelLoads;
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
    const plan = await planResume(client, job, target, modelLabel(model), state, {
      refresh: config.mode === 'refresh',
      rebuildState: config.mode === 'rebuild-state',
      restart: config.mode === 'restart',
    });
    if (plan.warning !== undefined) process.stderr.write(`embed: warning: ${plan.warning}\n`);
    if (config.mode === 'refresh' && target.ref.kind === 'column') {
      process.stderr.write('embed: note: a --column target keeps no content hash, so --refresh finds rows never embedded but not changed texts\n');
    }
    const report = await run(config, { pool, startedAt, model, client, db, breaker, source, target, job, stateFile: state.file });
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
  }
}

interface RunParts {
  pool: WorkerPool;
  /** When the command started: the rate covers starting the workers and preparing the target too. */
  startedAt: number;
  model: ModelInfo;
  client: pg.Client;
  db: Queryable;
  breaker: CircuitBreaker;
  source: SourceTable;
  target: Target;
  job: JobState;
  stateFile: string;
}

async function run(
  config: EmbedConfig,
  { pool, startedAt, model, client, db, breaker, source, target, job, stateFile }: RunParts,
): Promise<RunReport> {
  const runId = job.startRun();
  const progress = job.progress();
  const ledger = new CommitLedger(progress.watermark, progress.ranges);
  // Once the table is read to the end, every row up to this id is read or done, even rows after the
  // last one read that a check against the target skipped.
  const lastAtStart = await highestId(db, source, []);
  const retry = config.mode === 'retry-failed';
  const failedIds = job.failureCount() > 0 ? job.failures().map((f) => f.rowId) : [];
  const failedBefore = new Set(failedIds);
  const tableRows = await estimateRows(client, source);
  const total = config.limit === undefined ? tableRows : Math.min(tableRows, config.limit);
  const rowsLeft = Math.min(config.limit ?? Number.POSITIVE_INFINITY, Math.max(0, tableRows - progress.rowsDone));
  const bar = createProgress(total, { quiet: config.quiet || config.json });
  const interrupts = watchInterrupts(() => {
    bar.stop();
    // Batches waiting for the database would otherwise wait out the whole budget.
    if (breaker.isOpen) {
      breaker.cancel(new EmbedError('INTERRUPTED', 'interrupted while waiting for the database; progress is saved; run the same command again to resume'));
    }
  });
  const taskRows = rowsPerTask(config.batchSize, config.sortWindow);
  const writeTarget = { plan: target.plan, context: writeContext(config, target) };
  let stats: LoopStats;
  try {
    stats = await runEmbedLoop({
      pages: retry
        ? readFailedRows(db, source, failedIds, taskRows, (ids) => job.clearFailures(ids))
        : readPages(db, source, {
            after: progress.watermark,
            exclude: progress.ranges,
            pageSize: taskRows,
            limit: config.limit,
            pending: progress.checkTarget ? target.pendingSql : undefined,
          }),
      // A row that failed before and is written now is a failure no more.
      runBatch:
        failedIds.length === 0
          ? (task) => pool.run({ ...task, target: writeTarget })
          : async (task) => {
              const result = await pool.run({ ...task, target: writeTarget });
              const fixed = task.ids.filter((id) => failedBefore.has(id));
              if (fixed.length > 0) job.clearFailures(fixed);
              return result;
            },
      breaker,
      ledger,
      // Retried rows lie anywhere below the watermark: they are not progress.
      job: retry ? { saveProgress: () => undefined, recordFailure: (id, error) => job.recordFailure(id, error) } : job,
      // Retried rows all failed once: alone in its task, each gets its own verdict, and a task whose rows
      // all fail again is not mistaken for a broken worker.
      taskRows: retry
        ? () => 1
        : (rowsRead) =>
            taskRowsAfter(rowsRead, {
              fullTask: taskRows,
              batchSize: config.batchSize,
              rowsExpected: rowsLeft,
              computeSlots: computeSlots(config),
            }),
      maxInFlight: tasksInFlight(config),
      stopRequested: () => interrupts.requested,
      onProgress: (rows) => bar.update(progress.rowsDone + rows),
    });
  } catch (error) {
    job.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'failed' });
    throw error;
  } finally {
    bar.stop();
    interrupts.dispose();
  }
  const readToEnd = !retry && !interrupts.requested && (config.limit === undefined || stats.rowsRead < config.limit);
  if (readToEnd) {
    ledger.finish(await highestId(db, source, [stats.lastRead, lastAtStart, ...progress.ranges.map((r) => r.last)]));
    job.completePass(ledger.currentWatermark);
  }
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const rowsPerSecond = stats.rowsEmbedded / Math.max(elapsedSeconds, 1e-9);
  const outcome = interrupts.requested ? 'interrupted' : 'completed';
  job.endRun(runId, { rows: stats.rowsEmbedded, skipped: stats.rowsSkipped, failed: stats.rowsFailed, rowsPerSecond, outcome });
  const metrics =
    config.metrics.mode !== 'off' && outcome === 'completed' ? await finishMetrics(db, source, target.display, config.metrics) : undefined;
  const busy = stats.readMs + stats.tokenizeMs + stats.inferenceMs + stats.writeMs || 1;
  return {
    outcome,
    table: source.sql,
    target: target.display,
    model: model.name,
    dtype: model.dtype,
    device: config.device,
    workers: config.workers,
    workersUsed: stats.workersUsed,
    computeSlots: computeSlots(config),
    threads: config.threads,
    batchSize: config.batchSize,
    rowsEmbedded: stats.rowsEmbedded,
    rowsInferred: stats.rowsInferred,
    rowsFromDuplicates: config.metrics.mode === 'only' ? 0 : stats.rowsEmbedded - stats.rowsInferred,
    rowsSkipped: stats.rowsSkipped,
    rowsFailed: stats.rowsFailed,
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
    metricsMode: config.metrics.mode,
    metrics,
  };
}

function workerConfig(config: EmbedConfig, model: ModelFiles): WorkerConfig {
  return {
    modelDir: model.dir,
    onnxFile: model.onnxFile,
    maxSequenceLength: model.maxSequenceLength,
    threads: config.threads,
    device: config.device,
    maxBatchTokens: config.maxBatchTokens,
    runModel: config.metrics.mode !== 'only',
    inputClaims: createClaimBuffer(),
    computeGate: createComputeGate(computeSlots(config)),
    startOrder: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
    // Tasks are packed onto as few workers as can compute at once (see packing-balancer.ts).
    workersLoadingAtStart: computeSlots(config),
    connection: sessionConnection(config),
  };
}

function writeContext(config: EmbedConfig, target: Target): WriteContext {
  return {
    target: target.display,
    lockTimeoutSeconds: config.lockTimeoutSeconds,
    statementTimeoutSeconds: config.statementTimeoutSeconds,
  };
}

/** Every session of the run, main thread and workers, with the same lock and statement timeouts. */
function sessionConnection(config: EmbedConfig): ConnectionConfig {
  return connectionConfig(config.databaseUrl, {
    lockTimeoutSeconds: config.lockTimeoutSeconds,
    statementTimeoutSeconds: config.statementTimeoutSeconds,
  });
}

/**
 * Tasks that may compute at once. On the CPU, as many sessions as the cores hold (cores / threads per
 * session): more only thrash caches and lose time to switching. A GPU queues its own work, so there every
 * worker computes.
 */
function computeSlots(config: EmbedConfig, cores = os.availableParallelism()): number {
  if (config.device === 'cuda') return config.workers;
  return Math.min(config.workers, Math.max(1, Math.floor(cores / config.threads)));
}

/** Two tasks per computing worker: one computes while the other writes and commits. */
function tasksInFlight(config: EmbedConfig): number {
  return computeSlots(config) * tasksPerWorker;
}
