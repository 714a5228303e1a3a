/**
 * `npm run bench:model`: rows per second of the bare encoder, no database, on the first lines of the
 * corpus. Two ceilings per dtype: plain batches in table order (one session on every core, and one
 * single-threaded session per core), and the sorted ceiling (every text sorted by token count, runs cut
 * by a token budget, the best of a few budgets). The engine is measured against these.
 *
 *   node dist/bench/model-bench.js [--rows 20000] [--corpus FILE] [--model minilm-l6-random]
 *        [--dtype fp32,q8] [--batch-size 32] [--budgets 1024,2048,4096,8192] [--sessions CORES] [--out-dir DIR]
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultCorpus } from '../scripts/load-corpus.js';
import { syntheticSentences } from '../scripts/synthetic-text.js';
import type { Dtype } from '../src/model/model-folder.js';
import { benchModel } from './bench-model.js';
import { batchedThroughput, sortedCeiling, type EncoderModel, type SortedCeiling, type Throughput } from './encoder-throughput.js';
import { formatMachineFacts, loadAverage, machineFacts, type MachineFacts } from './machine-facts.js';
import { dtypeOption, listOption, positiveOption } from './options.js';
import { resultsDir, resultStem, writeResult } from './results-file.js';
import { fixed, formatTable, percent } from './text-table.js';

interface ModelCeilings {
  dtype: Dtype;
  /** Batch `batchSize` in table order: one session on all cores, then one 1-thread session per core. */
  plain: Throughput[];
  sorted: SortedCeiling;
  loadAverage: { before: number; after: number };
}

interface ModelBenchResult {
  kind: 'model-bench';
  startedAt: string;
  machine: MachineFacts;
  model: string;
  corpus: string;
  rows: number;
  batchSize: number;
  results: ModelCeilings[];
}

async function modelCeilings(
  model: EncoderModel,
  dtype: Dtype,
  texts: readonly string[],
  options: { batchSize: number; budgets: readonly number[]; sessions: number; onMeasured?: (t: Throughput) => void },
): Promise<ModelCeilings> {
  const before = loadAverage();
  const plainLabel = `batch ${options.batchSize} in table order`;
  const plain: Throughput[] = [];
  for (const [sessions, threadsPerSession] of [
    [1, options.sessions],
    [options.sessions, 1],
  ] as const) {
    plain.push(await batchedThroughput(model, texts, { label: plainLabel, batchSize: options.batchSize, sessions, threadsPerSession }));
    options.onMeasured?.(plain[plain.length - 1]!);
  }
  const sorted = await sortedCeiling(model, texts, { budgets: options.budgets, sessions: options.sessions, threadsPerSession: 1 });
  for (const t of sorted.tried) options.onMeasured?.(t);
  return { dtype, plain, sorted, loadAverage: { before, after: loadAverage() } };
}

/** The first `rows` non-empty lines of the corpus, or synthetic sentences when there is none. */
function corpusHead(file: string | undefined, rows: number): { texts: string[]; source: string } {
  const corpus = file ?? defaultCorpus;
  if (!existsSync(corpus)) {
    if (file !== undefined) throw new Error(`corpus ${file} does not exist`);
    return { texts: syntheticSentences(rows), source: 'synthetic' };
  }
  const texts = readFileSync(corpus, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, rows);
  return { texts, source: corpus };
}

function throughputRow(dtype: string, t: Throughput, note = ''): string[] {
  return [
    dtype,
    t.label,
    `${t.sessions}x${t.threadsPerSession}`,
    fixed(t.rowsPerSecond),
    fixed(t.tokensPerSecond, 0),
    fixed(t.paddingWaste, 2),
    percent(t.tokenizeShare),
    fixed(t.seconds),
    fixed(t.coresUsed, 2),
    note,
  ];
}

const throughputHeaders = ['dtype', 'batching', 'sessions x threads', 'rows/s', 'tokens/s', 'padding', 'tokenize', 'seconds', 'cores', ''];

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '20000' },
      corpus: { type: 'string' },
      model: { type: 'string', default: 'minilm-l6-random' },
      dtype: { type: 'string', default: 'fp32,q8' },
      'batch-size': { type: 'string', default: '32' },
      budgets: { type: 'string', default: '1024,2048,4096,8192' },
      sessions: { type: 'string', default: String(os.availableParallelism()) },
      'out-dir': { type: 'string', default: resultsDir },
    },
  });
  const rows = positiveOption(values.rows, '--rows');
  const batchSize = positiveOption(values['batch-size'], '--batch-size');
  const budgets = listOption(values.budgets, '--budgets').map((b) => positiveOption(b, '--budgets'));
  const sessions = positiveOption(values.sessions, '--sessions');
  const dtypes = listOption(values.dtype, '--dtype').map(dtypeOption);
  const { texts, source } = corpusHead(values.corpus, rows);
  const machine = machineFacts();
  const startedAt = new Date();
  process.stderr.write(`bench:model: ${values.model}, ${texts.length} texts from ${source}\n${formatMachineFacts(machine)}\n`);

  const results: ModelCeilings[] = [];
  for (const dtype of dtypes) {
    const model = await benchModel(values.model, dtype);
    process.stderr.write(`measuring ${dtype}...\n`);
    const onMeasured = (t: Throughput) =>
      process.stderr.write(
        `  ${t.label}, ${t.sessions}x${t.threadsPerSession}: ${fixed(t.rowsPerSecond)} rows/s, cores used ${fixed(t.coresUsed, 2)}, load average ${t.loadAverage}\n`,
      );
    results.push(await modelCeilings(model, dtype, texts, { batchSize, budgets, sessions, onMeasured }));
  }

  const table: string[][] = [];
  for (const result of results) {
    const bestPlain = result.plain.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
    for (const t of result.plain) table.push(throughputRow(result.dtype, t, t === bestPlain ? '<- plain ceiling' : ''));
    for (const t of result.sorted.tried) table.push(throughputRow(result.dtype, t, t === result.sorted.best ? '<- sorted ceiling' : ''));
  }
  process.stdout.write(`\n${formatTable(throughputHeaders, table)}`);
  for (const result of results) {
    const bestPlain = Math.max(...result.plain.map((t) => t.rowsPerSecond));
    process.stdout.write(
      `${result.dtype}: sorted ceiling ${fixed(result.sorted.best.rowsPerSecond)} rows/s (budget ${result.sorted.best.maxBatchTokens}) = ` +
        `${fixed(result.sorted.best.rowsPerSecond / bestPlain, 2)}x plain batch ${batchSize}; ` +
        `per-core sessions vs one ${sessions}-thread session at batch ${batchSize}: ${fixed(result.plain[1]!.rowsPerSecond / result.plain[0]!.rowsPerSecond, 2)}x; ` +
        `load average ${result.loadAverage.before} -> ${result.loadAverage.after}\n`,
    );
  }
  const output: ModelBenchResult = {
    kind: 'model-bench',
    startedAt: startedAt.toISOString(),
    machine,
    model: values.model,
    corpus: source,
    rows: texts.length,
    batchSize,
    results,
  };
  const file = writeResult(
    path.resolve(values['out-dir']),
    `${resultStem('model-bench', startedAt)}.json`,
    `${JSON.stringify(output, null, 2)}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
  return 0;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && realpathSync(invokedPath) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:model: ${(error as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}
