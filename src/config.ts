/**
 * The embed command's options: flags beat environment variables beat defaults, and every value is
 * checked here once, with a one-line message that says what to pass instead.
 */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './errors.js';
import type { Dtype } from './model-folder.js';
import { parseColumnName, parseTableName, type TableName } from './table-name.js';
import type { WriteMethod } from './target-table.js';
import type { Device } from '../workers/onnx-session.js';

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
  writeMethod?: string;
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
}

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
  writeMethod: WriteMethod;
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
  maxBatchTokens: 4096,
  writeMethod: 'copy' as WriteMethod,
  maxBatchSize: 100_000,
  maxWorkers: 256,
};

export function resolveEmbedConfig(
  args: EmbedArgs,
  env: NodeJS.ProcessEnv = process.env,
  cores: number = os.availableParallelism(),
): EmbedConfig {
  const workersValue = args.workers ?? env.EMBED_WORKERS ?? 'auto';
  const workers =
    workersValue === 'auto'
      ? cores
      : positiveInteger(workersValue, args.workers !== undefined ? '--workers' : 'EMBED_WORKERS', defaults.maxWorkers, 'a number of threads or auto');
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
    writeMethod: oneOf(args.writeMethod ?? defaults.writeMethod, '--write-method', ['copy', 'insert'] as const),
    quiet: args.quiet ?? false,
    json: args.json ?? false,
    verbose: args.verbose ?? false,
  };
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

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function nonEmpty(value: string, name: string): string {
  if (value.trim() === '') throw new UsageError(`${name} must not be empty`);
  return value;
}
