/** The command line of `npm run bench`, checked once, and what each run of the CLI gets from it. */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaults } from '../src/config/defaults.js';
import type { Dtype } from '../src/model/model-folder.js';
import { parseTableName, type TableName } from '../src/db/table-name.js';
import type { EngineRunOptions } from './engine-run.js';
import { dtypeOption, listOption, positiveOption } from './options.js';
import { resultsDir } from './results-file.js';

export interface BenchOptions {
  table: TableName;
  tableArg: string;
  batchSizes: number[];
  workers: number[];
  dtypes: Dtype[];
  model: string;
  databaseUrl: string;
  repeat: number;
  rows?: number;
  limit?: number;
  corpus?: string;
  keepOrder: boolean;
  seed?: number;
  reload: boolean;
  budgets: number[];
  naiveRows: number;
  /** Leave out the plain-batching ceiling (slow: it pads every batch to its longest row). */
  skipPlain: boolean;
  maxBatchTokens?: number;
  sortWindow?: number;
  scaleRows: number[];
  outDir: string;
}

const usage =
  'usage: bench [table] [batchSize[,...]] [maxWorkers] [--dtype fp32,q8] [--model NAME] [--rows N] [--limit N] [--repeat N] ' +
  '[--database-url URL] [--corpus FILE] [--keep-order] [--seed S] [--reload] [--budgets 1024,...] [--naive-rows N] [--skip-plain] ' +
  '[--max-batch-tokens N] [--sort-window N] [--workers 1,2,...] [--scale] [--scale-rows 100000,1000000] [--out-dir DIR]';

export function parseBenchArgs(argv: string[]): { options: BenchOptions; scale: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dtype: { type: 'string', default: 'fp32' },
      model: { type: 'string' },
      rows: { type: 'string' },
      limit: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'database-url': { type: 'string' },
      corpus: { type: 'string' },
      'keep-order': { type: 'boolean', default: false },
      seed: { type: 'string' },
      reload: { type: 'boolean', default: false },
      budgets: { type: 'string', default: '1024,2048,4096,8192' },
      'naive-rows': { type: 'string', default: '300' },
      'skip-plain': { type: 'boolean', default: false },
      'max-batch-tokens': { type: 'string' },
      'sort-window': { type: 'string' },
      workers: { type: 'string' },
      scale: { type: 'boolean', default: false },
      'scale-rows': { type: 'string', default: '100000,1000000' },
      'out-dir': { type: 'string' },
    },
  });
  if (positionals.length > 3) throw new Error(usage);
  const [tableArg = 'sentences', batchArg = String(defaults.batchSize), maxWorkersArg = String(os.availableParallelism())] = positionals;
  const maxWorkers = positiveOption(maxWorkersArg, 'maxWorkers');
  const options: BenchOptions = {
    table: parseTableName(tableArg),
    tableArg,
    batchSizes: listOption(batchArg, 'batch size').map((b) => positiveOption(b, 'batch size')),
    workers: values.workers ? listOption(values.workers, '--workers').map((w) => positiveOption(w, '--workers')) : doublings(maxWorkers),
    dtypes: listOption(values.dtype, '--dtype').map(dtypeOption),
    // The scale run embeds a million rows: the tiny model keeps that practical, and memory is the question there.
    model: values.model ?? (values.scale ? 'tiny-random' : 'minilm-l6-random'),
    databaseUrl: values['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    repeat: positiveOption(values.repeat, '--repeat'),
    rows: values.rows === undefined ? undefined : positiveOption(values.rows, '--rows'),
    limit: values.limit === undefined ? undefined : positiveOption(values.limit, '--limit'),
    corpus: values.corpus,
    keepOrder: values['keep-order'],
    seed: values.seed === undefined ? undefined : seedOption(values.seed),
    reload: values.reload,
    budgets: listOption(values.budgets, '--budgets').map((b) => positiveOption(b, '--budgets')),
    naiveRows: positiveOption(values['naive-rows'], '--naive-rows'),
    skipPlain: values['skip-plain'],
    maxBatchTokens: values['max-batch-tokens'] === undefined ? undefined : positiveOption(values['max-batch-tokens'], '--max-batch-tokens'),
    sortWindow: values['sort-window'] === undefined ? undefined : positiveOption(values['sort-window'], '--sort-window'),
    scaleRows: listOption(values['scale-rows'], '--scale-rows').map((r) => positiveOption(r, '--scale-rows')),
    outDir: path.resolve(values['out-dir'] ?? resultsDir),
  };
  return { options, scale: values.scale };
}

export function engineRunOptions(
  options: BenchOptions,
  dtype: Dtype,
  batchSize: number,
  workers: number,
  target: string,
): EngineRunOptions {
  return {
    table: options.tableArg,
    batchSize,
    workers,
    model: options.model,
    dtype,
    databaseUrl: options.databaseUrl,
    target,
    limit: options.limit,
    maxBatchTokens: options.maxBatchTokens,
    sortWindow: options.sortWindow,
  };
}

/** 1, 2, 4, ... up to max, and max itself. */
function doublings(max: number): number[] {
  const counts: number[] = [];
  for (let n = 1; n < max; n *= 2) counts.push(n);
  counts.push(max);
  return counts;
}

function seedOption(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${JSON.stringify(value)}`);
  return seed;
}
