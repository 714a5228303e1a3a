/**
 * The embed command's options: flags beat environment variables beat defaults, and every value is
 * checked here once, with a one-line message that says what to pass instead.
 */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../common/errors.js';
import { resolveMetricsOptions, type MetricsOptions } from './metrics-options.js';
import type { Dtype } from '../model/model-folder.js';
import { parseColumnName, parseTableName, type TableName } from '../db/table-name.js';
import type { Device } from '../../common/batch-task.js';
import type { WriteMethod } from '../../common/write-plan.js';

/** The command line as yargs hands it over: strings, so that every check and message is ours. */
export interface EmbedArgs {
  table: string;
  batchSize?: string;
  workers?: string;
  threads?: string;
  model?: string;
  dtype?: string;
  device?: string;
  idColumn?: string;
  textColumn?: string;
  target?: string;
  column?: string;
  limit?: string;
  databaseUrl?: string;
  state?: string;
  maxBatchTokens?: string;
  sortWindow?: string;
  writeMethod?: string;
  dbDownBudget?: string;
  lockTimeout?: string;
  statementTimeout?: string;
  castText?: boolean;
  refresh?: boolean;
  rebuildState?: boolean;
  restart?: boolean;
  retryFailed?: boolean;
  metrics?: boolean;
  metricsOnly?: boolean;
  foldCase?: boolean;
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
}

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
  device: Device;
  idColumn: string;
  textColumn: string;
  target?: TableName;
  column?: string;
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
  quiet: boolean;
  json: boolean;
  verbose: boolean;
}

export const defaults = {
  batchSize: 100,
  model: 'Xenova/all-MiniLM-L6-v2',
  dtype: 'fp32' as Dtype,
  device: 'cpu' as Device,
  idColumn: 'id',
  textColumn: 'text',
  statePath: path.join('.embed', 'state.sqlite'),
  maxBatchTokens: 1024,
  sortWindow: 1600,
  writeMethod: 'copy' as WriteMethod,
  maxBatchSize: 100_000,
  maxWorkers: 256,
  dbDownBudgetSeconds: 120,
  lockTimeoutSeconds: 60,
  statementTimeoutSeconds: 600,
};

const aWeek = 7 * 24 * 3600;

export function resolveEmbedConfig(
  args: EmbedArgs,
  env: NodeJS.ProcessEnv = process.env,
  cores: number = os.availableParallelism(),
): EmbedConfig {
  const workersValue = args.workers ?? env.EMBED_WORKERS ?? 'auto';
  const workers =
    workersValue === 'auto'
      ? cores
      : positiveInteger(workersValue, args.workers !== undefined ? '--workers' : 'EMBED_WORKERS', defaults.maxWorkers, 'auto or a whole number');
  const threads =
    args.threads === undefined ? Math.max(1, Math.floor(cores / workers)) : positiveInteger(args.threads, '--threads', 256);
  if (args.target !== undefined && args.column !== undefined) {
    throw new UsageError('--target and --column exclude each other: write to a side table or to a column, not both');
  }
  return {
    table: parseTableName(args.table),
    batchSize: args.batchSize === undefined ? defaults.batchSize : positiveInteger(args.batchSize, 'batch size', defaults.maxBatchSize),
    workers,
    threads,
    model: nonEmpty(args.model ?? env.EMBED_MODEL ?? defaults.model, args.model !== undefined ? '--model' : 'EMBED_MODEL'),
    dtype: oneOf(args.dtype ?? defaults.dtype, '--dtype', ['fp32', 'q8'] as const),
    device: oneOf(args.device ?? defaults.device, '--device', ['cpu', 'cuda'] as const),
    idColumn: args.idColumn === undefined ? defaults.idColumn : parseColumnName(args.idColumn, '--id-column'),
    textColumn: args.textColumn === undefined ? defaults.textColumn : parseColumnName(args.textColumn, '--text-column'),
    target: args.target === undefined ? undefined : parseTableName(args.target, '--target'),
    column: args.column === undefined ? undefined : parseColumnName(args.column, '--column'),
    limit: args.limit === undefined ? undefined : positiveInteger(args.limit, '--limit', Number.MAX_SAFE_INTEGER),
    databaseUrl: args.databaseUrl ?? (env.DATABASE_URL || undefined),
    statePath: nonEmpty(args.state ?? env.EMBED_STATE ?? defaults.statePath, args.state !== undefined ? '--state' : 'EMBED_STATE'),
    maxBatchTokens:
      args.maxBatchTokens === undefined ? defaults.maxBatchTokens : positiveInteger(args.maxBatchTokens, '--max-batch-tokens', 1_000_000),
    sortWindow: args.sortWindow === undefined ? defaults.sortWindow : positiveInteger(args.sortWindow, '--sort-window', 100_000),
    writeMethod: oneOf(args.writeMethod ?? defaults.writeMethod, '--write-method', ['copy', 'insert'] as const),
    dbDownBudgetSeconds:
      args.dbDownBudget === undefined ? defaults.dbDownBudgetSeconds : positiveInteger(args.dbDownBudget, '--db-down-budget', aWeek, 'a whole number of seconds'),
    lockTimeoutSeconds: args.lockTimeout === undefined ? defaults.lockTimeoutSeconds : seconds(args.lockTimeout, '--lock-timeout'),
    statementTimeoutSeconds:
      args.statementTimeout === undefined ? defaults.statementTimeoutSeconds : seconds(args.statementTimeout, '--statement-timeout'),
    castText: args.castText ?? false,
    mode: runMode(args),
    metrics: resolveMetricsOptions(args),
    quiet: args.quiet ?? false,
    json: args.json ?? false,
    verbose: args.verbose ?? false,
  };
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

export function positiveInteger(value: string, name: string, max: number, expected = 'a whole number'): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new UsageError(`${name} must be ${expected} of at least 1, got ${JSON.stringify(value)}`);
  }
  const number = Number(trimmed);
  if (number > max) throw new UsageError(`${name} must be at most ${max}, got ${value}`);
  return number;
}

/** Whole seconds, 0 meaning no limit of ours. */
function seconds(value: string, name: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new UsageError(`${name} must be a whole number of seconds (0 for no limit), got ${JSON.stringify(value)}`);
  }
  const number = Number(trimmed);
  if (number > aWeek) throw new UsageError(`${name} must be at most ${aWeek} seconds, got ${value}`);
  return number;
}

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function nonEmpty(value: string, name: string): string {
  if (value.trim() === '') throw new UsageError(`${name} must not be empty`);
  return value;
}
