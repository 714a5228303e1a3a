/**
 * The embed command's options: flags beat environment variables beat defaults, and every value is
 * checked here once, with a one-line message that says what to pass instead.
 */
import os from 'node:os';
import type { Device } from '../../common/batch-task.js';
import type { ChunkWindow } from '../../common/chunk-window.js';
import { UsageError } from '../../common/errors.js';
import type { WriteMethod } from '../../common/write-plan.js';
import { defaults } from './defaults.js';
import { embedOptions, given, type EmbedArgs } from './options.js';
import { positiveInteger } from './parse.js';
import { resolveDistributedOptions } from './distributed-options.js';
import { resolveMetricsOptions, type MetricsOptions } from './metrics-options.js';
import { checkIndexOptions, type IndexKind, type VectorType } from './index-options.js';
import type { Dtype } from '../model/model-folder.js';
import type { ProfileFlags } from '../model/model-profile.js';
import type { TextTemplate } from './text-template.js';
import { parseTableName, type TableName } from '../db/table-name.js';
import type { LogFormat } from '../observe/event-log.js';

export type { EmbedArgs } from './options.js';

/** How a run picks its rows; `continue` is a plain run: resume, or embed what was added since. */
export type RunMode = 'continue' | 'refresh' | 'rebuild-state' | 'restart' | 'retry-failed';

export interface EmbedConfig {
  table: TableName;
  /** Rows per committed batch (default 100). */
  batchSize: number;
  /** Worker threads (default: available cores). */
  workers: number;
  /** ONNX intra-op threads per worker (default max(1, floor(cores / workers))). */
  threads: number;
  /** Model name under the models folder, or a path (default Xenova/all-MiniLM-L6-v2). */
  model: string;
  dtype: Dtype;
  /** The ONNX file's path in the model folder, when --onnx-file names one instead of the dtype's. */
  onnxFile: string | undefined;
  /** What the flags say of the model profile (the rest comes from the model's files: model-profile.ts). */
  profile: ProfileFlags;
  device: Device;
  idColumn: string;
  textColumn: string;
  /** --text: the text rendered from several columns, instead of textColumn. */
  textTemplate?: TextTemplate;
  target?: TableName;
  column?: string;
  /** `--chunk`: each text cut into windows of the model's tokens, one vector per chunk, in a chunk table. */
  chunk?: ChunkWindow;
  limit?: number;
  /** undefined: node-postgres reads the PG* variables. */
  databaseUrl?: string;
  statePath: string;
  /** Padded tokens per session run. */
  maxBatchTokens: number;
  /**
   * Rows per worker task, rounded down to whole batches (at least one): the worker sorts the window by
   * length before cutting it into model runs, and commits it in one transaction (default 1600).
   */
  sortWindow: number;
  writeMethod: WriteMethod;
  /** How long the database may stay unreachable mid-run before the run stops (default 120). */
  dbDownBudgetSeconds: number;
  /** lock_timeout and statement_timeout of every session, in seconds; 0 leaves the server's setting. */
  lockTimeoutSeconds: number;
  statementTimeoutSeconds: number;
  /** Read a text column of another type (integer, jsonb) as its text form instead of refusing it. */
  castText: boolean;
  mode: RunMode;
  /** Text metrics beside the embeddings, instead of them, or none (default); see metrics-options.ts. */
  metrics: MetricsOptions;
  /** The vector index built once a pass completes (undefined: the column's default, see target/vector-storage.ts). */
  index: IndexKind | undefined;
  /** maintenance_work_mem of the index build's session; undefined keeps the server's. */
  maintenanceWorkMem: string | undefined;
  /** The column type of a new pgvector target. */
  vectorType: VectorType;
  /** Share the job with other hosts through a queue in PostgreSQL (src/distributed/). */
  distributed: boolean;
  /** With --distributed: seconds a silent host keeps its ranges (default 30). */
  leaseSeconds: number;
  quiet: boolean;
  json: boolean;
  verbose: boolean;
  /** Serve Prometheus metrics on this port (0: any free one). */
  metricsPort?: number;
  /** After the run, serve /metrics up to this long for a last scrape (0: close at once). */
  metricsLingerSeconds: number;
  logFormat: LogFormat;
}

export function resolveEmbedConfig(
  args: EmbedArgs,
  env: NodeJS.ProcessEnv = process.env,
  cores: number = os.availableParallelism(),
): EmbedConfig {
  const o = embedOptions;
  const workersValue = args.workers ?? env[o.workers.env] ?? 'auto';
  const workers =
    workersValue === 'auto'
      ? cores
      : positiveInteger(
          workersValue,
          args.workers !== undefined ? '--workers' : o.workers.env,
          defaults.maxWorkers,
          'auto or a whole number',
        );
  const threads = args.threads === undefined ? Math.max(1, Math.floor(cores / workers)) : positiveInteger(args.threads, '--threads', 256);
  if (args.target !== undefined && args.column !== undefined) {
    throw new UsageError('--target and --column exclude each other: write to a side table or to a column, not both');
  }
  return {
    table: parseTableName(args.table),
    batchSize: args.batchSize === undefined ? defaults.batchSize : positiveInteger(args.batchSize, 'batch size', defaults.maxBatchSize),
    workers,
    threads,
    model: given(args, env, 'model', o.model) ?? o.model.value,
    dtype: given(args, env, 'dtype', o.dtype) ?? o.dtype.value,
    onnxFile: onnxFile(args, env),
    profile: {
      pooling: given(args, env, 'pooling', o.pooling),
      prompt: given(args, env, 'prompt', o.prompt),
      promptName: given(args, env, 'prompt-name', o['prompt-name']),
      dimensions: given(args, env, 'dimensions', o.dimensions),
      rawVectors: args.rawVectors ?? false,
    },
    device: given(args, env, 'device', o.device) ?? o.device.value,
    idColumn: given(args, env, 'id-column', o['id-column']) ?? o['id-column'].value,
    textColumn: given(args, env, 'text-column', o['text-column']) ?? o['text-column'].value,
    textTemplate: textTemplate(args, env),
    target: given(args, env, 'target', o.target),
    column: given(args, env, 'column', o.column),
    chunk: chunkWindow(args, env),
    limit: given(args, env, 'limit', o.limit),
    databaseUrl: args.databaseUrl ?? (env[o['database-url'].env] || undefined),
    statePath: given(args, env, 'state', o.state) ?? o.state.value,
    maxBatchTokens: given(args, env, 'max-batch-tokens', o['max-batch-tokens']) ?? o['max-batch-tokens'].value,
    sortWindow: given(args, env, 'sort-window', o['sort-window']) ?? o['sort-window'].value,
    writeMethod: given(args, env, 'write-method', o['write-method']) ?? o['write-method'].value,
    dbDownBudgetSeconds: given(args, env, 'db-down-budget', o['db-down-budget']) ?? o['db-down-budget'].value,
    lockTimeoutSeconds: given(args, env, 'lock-timeout', o['lock-timeout']) ?? o['lock-timeout'].value,
    statementTimeoutSeconds: given(args, env, 'statement-timeout', o['statement-timeout']) ?? o['statement-timeout'].value,
    castText: args.castText ?? false,
    mode: runMode(args),
    metrics: resolveMetricsOptions(args),
    ...checkIndexOptions({
      index: given(args, env, 'index', o.index),
      maintenanceWorkMem: given(args, env, 'maintenance-work-mem', o['maintenance-work-mem']),
      vectorType: given(args, env, 'vector-type', o['vector-type']) ?? o['vector-type'].value,
    }),
    ...resolveDistributedOptions(args, env),
    quiet: args.quiet ?? false,
    json: args.json ?? false,
    verbose: args.verbose ?? false,
    metricsPort: given(args, env, 'metrics-port', o['metrics-port']),
    metricsLingerSeconds: metricsLinger(args, env),
    logFormat: given(args, env, 'log-format', o['log-format']) ?? o['log-format'].value,
  };
}

function textTemplate(args: EmbedArgs, env: NodeJS.ProcessEnv): TextTemplate | undefined {
  const template = given(args, env, 'text', embedOptions.text);
  if (template !== undefined && given(args, env, 'text-column', embedOptions['text-column']) !== undefined) {
    throw new UsageError("--text and --text-column exclude each other: a template names its columns itself, e.g. --text '{title}'");
  }
  return template;
}

function onnxFile(args: EmbedArgs, env: NodeJS.ProcessEnv): string | undefined {
  const file = given(args, env, 'onnx-file', embedOptions['onnx-file']);
  if (file !== undefined && given(args, env, 'dtype', embedOptions.dtype) !== undefined) {
    throw new UsageError('--onnx-file names the ONNX file itself, so --dtype has nothing to choose: pass one of them');
  }
  return file;
}

function chunkWindow(args: EmbedArgs, env: NodeJS.ProcessEnv): ChunkWindow | undefined {
  const window = given(args, env, 'chunk', embedOptions.chunk);
  if (window === undefined) return undefined;
  if (args.column !== undefined) {
    throw new UsageError(
      '--chunk writes several vectors per row to a chunk table and --column holds one per row: drop --column (or pass --target)',
    );
  }
  if (args.metricsOnly === true) {
    throw new UsageError(
      '--metrics-only measures whole rows without the model and --chunk embeds chunks: drop one (--metrics with --chunk keeps chunks and tokens per row)',
    );
  }
  return window;
}

function metricsLinger(args: EmbedArgs, env: NodeJS.ProcessEnv): number {
  const linger = given(args, env, 'metrics-linger', embedOptions['metrics-linger']);
  if (linger === undefined) return 0;
  if (given(args, env, 'metrics-port', embedOptions['metrics-port']) === undefined) {
    throw new UsageError('--metrics-linger keeps the metrics of --metrics-port served after the run: pass --metrics-port too');
  }
  return linger;
}

function runMode(args: EmbedArgs): RunMode {
  const modes = (
    [
      ['refresh', args.refresh],
      ['rebuild-state', args.rebuildState],
      ['restart', args.restart],
      ['retry-failed', args.retryFailed],
    ] as const
  ).filter(([, on]) => on === true);
  if (modes.length > 1) {
    throw new UsageError(`${modes.map(([mode]) => `--${mode}`).join(' and ')} exclude each other: pass one per run`);
  }
  return modes[0]?.[0] ?? 'continue';
}

/** Rows in one worker task: the sort window in whole batches, never less than one batch. */
export function rowsPerTask(batchSize: number, sortWindow: number): number {
  return Math.max(1, Math.floor(sortWindow / batchSize)) * batchSize;
}
