/**
 * `npm run bench -- <table> [batchSize[,batchSize...]] [maxWorkers]`: the real CLI end to end for
 * workers 1, 2, 4, ... up to maxWorkers, next to what the hardware can do on the same texts (the bare
 * encoder's ceilings, no database) and what a naive one-row-at-a-time loop does. Prints a table, writes
 * JSON and an SVG chart under bench/results/. With --scale: the same command on a 100k-row and a
 * 1M-row table, to show that the engine's memory does not grow with the table.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadCorpus } from '../scripts/load-corpus.js';
import { defaults } from '../src/config.js';
import type { Dtype } from '../src/model-folder.js';
import { isBlank } from '../src/row-reader.js';
import { parseTableName, quoteTable, type TableName } from '../src/table-name.js';
import { benchModel } from './bench-model.js';
import { batchedThroughput, sortedCeiling, tokenCounts, type Throughput } from './encoder-throughput.js';
import { runEngine, type EngineRun } from './engine-run.js';
import { formatMachineFacts, loadAverage, machineFacts, type MachineFacts } from './machine-facts.js';
import { naiveBaseline, type NaiveResult } from './naive-baseline.js';
import { listOption, positiveOption } from './options.js';
import { resultsDir, resultStem, writeResult } from './results-file.js';
import { scalingChart, type CeilingLine, type ScalingPoint } from './scaling-chart.js';
import { formatSpread, spread, type Spread } from './spread.js';
import { fixed, formatTable, percent } from './text-table.js';

interface BenchOptions {
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
  maxBatchTokens?: number;
  sortWindow?: number;
  scaleRows: number[];
  outDir: string;
}

/** A ceiling measured `repeat` times. */
interface Repeated {
  samples: Throughput[];
  rowsPerSecond: Spread;
}

interface DtypeCeilings {
  /** Every text sorted by token count, the best budget (chosen on the first pass, then repeated). */
  sorted: Repeated & { budget: number; tried: Throughput[] };
  /** Per batch size: that many rows per session run, in table order, padded to the longest. */
  plain: Record<number, Repeated>;
  /** Per batch size: the engine's batching (sorted token-budget runs within each window of batches), no database. */
  sameBatching: Record<number, Repeated>;
}

interface EngineConfigResult {
  dtype: Dtype;
  batchSize: number;
  workers: number;
  threads: number;
  runs: (EngineRun & { steadyRowsPerSecond: number | null })[];
  rowsPerSecond: Spread;
  /** Rows/s once the workers are up: rows / (elapsed - the start-up probe's elapsed). */
  steadyRowsPerSecond: Spread | null;
  /** Real tokens of the embedded texts per second. */
  tokensPerSecond: number;
  speedup: number;
  /** Speedup divided by min(workers, cores): 1 means every core added its full share. */
  efficiency: number;
  vsPlainCeiling: number;
  vsSameBatching: number;
  vsSortedCeiling: number;
  vsNaive: number;
  paddingWaste: number;
  timeShare: { read: number; tokenize: number; inference: number; write: number };
  peakRssMb: number | null;
  totalPeakRssMb: number | null;
  /** Median CPU seconds per wall second the engine process got (at most the core count). */
  coresUsed: number | null;
}

interface TargetCheck {
  issue: number;
  target: string;
  dtype: Dtype;
  batchSize: number;
  value: number;
  threshold: string;
  holds: boolean;
}

interface BenchResult {
  kind: 'bench';
  startedAt: string;
  finishedAt: string;
  machine: MachineFacts;
  postgres: string;
  loadAverage: { before: number; after: number };
  table: string;
  tableSource: string;
  rows: number;
  realTokensPerRow: number;
  model: string;
  dtypes: Dtype[];
  batchSizes: number[];
  workers: number[];
  repeat: number;
  maxBatchTokens: number;
  sortWindow: number;
  ceilings: Record<string, DtypeCeilings>;
  naive: Record<string, NaiveResult>;
  startupSeconds: Record<string, Record<number, number>>;
  engine: EngineConfigResult[];
  targets: TargetCheck[];
  files: { json: string; chart: string };
}

const usage =
  'usage: bench [table] [batchSize[,...]] [maxWorkers] [--dtype fp32,q8] [--model NAME] [--rows N] [--limit N] [--repeat N] ' +
  '[--database-url URL] [--corpus FILE] [--keep-order] [--seed S] [--reload] [--budgets 1024,...] [--naive-rows N] ' +
  '[--max-batch-tokens N] [--sort-window N] [--workers 1,2,...] [--scale] [--scale-rows 100000,1000000] [--out-dir DIR]';

async function main(argv: string[]): Promise<number> {
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
    maxBatchTokens: values['max-batch-tokens'] === undefined ? undefined : positiveOption(values['max-batch-tokens'], '--max-batch-tokens'),
    sortWindow: values['sort-window'] === undefined ? undefined : positiveOption(values['sort-window'], '--sort-window'),
    scaleRows: listOption(values['scale-rows'], '--scale-rows').map((r) => positiveOption(r, '--scale-rows')),
    outDir: path.resolve(values['out-dir'] ?? resultsDir),
  };
  const client = new pg.Client({ connectionString: options.databaseUrl });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot connect to PostgreSQL (${(error as Error).message.split('\n')[0]}); pass --database-url or set DATABASE_URL`,
    );
  }
  try {
    if (values.scale) await tableScaleBench(client, options);
    else await workerScalingBench(client, options);
  } finally {
    await client.end();
  }
  return 0;
}

async function workerScalingBench(client: pg.Client, options: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const machine = machineFacts();
  const loaded = await loadCorpus(client, {
    table: options.tableArg,
    corpus: options.corpus,
    rows: options.rows ?? 10_000,
    keepOrder: options.keepOrder,
    seed: options.seed,
    replace: options.reload,
  });
  const table = quoteTable(options.table);
  const texts = await readTexts(client, table, options.limit);
  const postgres = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
  const budget = options.maxBatchTokens ?? defaults.maxBatchTokens;
  const sortWindow = options.sortWindow ?? defaults.sortWindow;
  const target = quoteTable({ schema: options.table.schema, name: `${options.table.name}_bench_embeddings` });
  const naiveTarget = quoteTable({ schema: options.table.schema, name: `${options.table.name}_bench_naive` });
  const cores = os.availableParallelism();
  const perCore = { sessions: cores, threadsPerSession: 1 };
  log(
    `bench: ${options.tableArg} (${loaded.created ? `loaded ${loaded.rows} rows from ${loaded.source}` : `${loaded.rows} rows, existing`}), ` +
      `${texts.length} texts per run, model ${options.model}, batch ${options.batchSizes.join('/')}, workers ${options.workers.join('/')}, ` +
      `dtype ${options.dtypes.join('/')}, repeat ${options.repeat}\n${formatMachineFacts(machine)}, PostgreSQL ${postgres}`,
  );

  const firstModel = await benchModel(options.model, options.dtypes[0]!);
  const realTokens = (await tokenCounts(firstModel, texts)).reduce((sum, n) => sum + n, 0);
  const tokensPerRow = realTokens / Math.max(texts.length, 1);

  const ceilings: Record<string, DtypeCeilings> = {};
  const naive: Record<string, NaiveResult> = {};
  const startupSeconds: Record<string, Record<number, number>> = {};
  const engine: EngineConfigResult[] = [];
  for (const dtype of options.dtypes) {
    const model = await benchModel(options.model, dtype);
    log(`${dtype}: naive one-row-at-a-time loop, ${Math.min(options.naiveRows, texts.length)} rows`);
    naive[dtype] = await naiveBaseline(model, {
      databaseUrl: options.databaseUrl,
      table,
      target: naiveTarget,
      rows: Math.min(options.naiveRows, texts.length),
    });

    startupSeconds[dtype] = {};
    for (const workers of options.workers) {
      await client.query(`DROP TABLE IF EXISTS ${target}`);
      const probe = await runEngine({ ...engineArgs(options, dtype, options.batchSizes[0]!, workers, target), limit: 1 });
      startupSeconds[dtype][workers] = probe.report.elapsedSeconds;
    }

    // Rounds of everything rather than each measurement repeated back to back: on a shared machine the
    // load comes and goes, and this way it falls on the ceilings and the engine alike.
    let sortedTried: Throughput[] = [];
    let bestBudget = options.budgets[0]!;
    const sortedSamples: Throughput[] = [];
    const plainSamples = new Map<number, Throughput[]>();
    const sameSamples = new Map<number, Throughput[]>();
    const runs = new Map<string, EngineRun[]>();
    const add = <K, V>(map: Map<K, V[]>, key: K, value: V) => map.set(key, [...(map.get(key) ?? []), value]);
    for (let round = 0; round < options.repeat; round++) {
      log(`${dtype} round ${round + 1}/${options.repeat}: bare-encoder ceilings (${cores} one-thread sessions, no database), load average ${loadAverage()}`);
      const sorted = await sortedCeiling(model, texts, { ...perCore, budgets: round === 0 ? options.budgets : [bestBudget] });
      sorted.tried.forEach((t) => logThroughput(dtype, t));
      if (round === 0) {
        sortedTried = sorted.tried;
        bestBudget = sorted.best.maxBatchTokens!;
      }
      sortedSamples.push(sorted.best);
      for (const batchSize of options.batchSizes) {
        const plainRun = await batchedThroughput(model, texts, { ...perCore, batchSize, label: `batch ${batchSize} in table order` });
        logThroughput(dtype, plainRun);
        add(plainSamples, batchSize, plainRun);
        const sameRun = await batchedThroughput(model, texts, {
          ...perCore,
          batchSize: batchSize * sortWindow,
          maxBatchTokens: budget,
          label: `batch ${batchSize} x window ${sortWindow}, budget ${budget}`,
        });
        logThroughput(dtype, sameRun);
        add(sameSamples, batchSize, sameRun);
      }
      for (const batchSize of options.batchSizes) {
        for (const workers of options.workers) {
          await client.query(`DROP TABLE IF EXISTS ${target}`);
          const run = await runEngine(engineArgs(options, dtype, batchSize, workers, target));
          log(
            `${dtype} batch ${batchSize} workers ${workers}: ${fixed(run.report.rowsPerSecond)} rows/s, ` +
              `padding ${fixed(run.report.paddingWaste, 2)}, peak RSS ${fixed(run.peakRssMb, 0)} MB, ` +
              `cores used ${fixed(run.coresUsed, 2)}, load average ${run.loadAverage}`,
          );
          add(runs, `${batchSize}/${workers}`, run);
        }
      }
    }
    const plain: Record<number, Repeated> = {};
    const sameBatching: Record<number, Repeated> = {};
    for (const batchSize of options.batchSizes) {
      plain[batchSize] = repeated(plainSamples.get(batchSize)!);
      sameBatching[batchSize] = repeated(sameSamples.get(batchSize)!);
    }
    ceilings[dtype] = { sorted: { ...repeated(sortedSamples), budget: bestBudget, tried: sortedTried }, plain, sameBatching };

    for (const batchSize of options.batchSizes) {
      const oneWorker = spread(runs.get(`${batchSize}/${options.workers[0]}`)!.map((run) => run.report.rowsPerSecond)).median;
      for (const workers of options.workers) {
        const samples = runs.get(`${batchSize}/${workers}`)!.map((run) => ({
          ...run,
          steadyRowsPerSecond: steadyRate(run, startupSeconds[dtype]![workers]!),
        }));
        const rowsPerSecond = spread(samples.map((run) => run.report.rowsPerSecond));
        const median = samples.reduce((a, b) =>
          Math.abs(b.report.rowsPerSecond - rowsPerSecond.median) < Math.abs(a.report.rowsPerSecond - rowsPerSecond.median) ? b : a,
        );
        const speedup = rowsPerSecond.median / oneWorker;
        engine.push({
          dtype,
          batchSize,
          workers,
          threads: median.report.threads,
          runs: samples,
          rowsPerSecond,
          steadyRowsPerSecond: spreadOrNull(samples.map((run) => run.steadyRowsPerSecond)),
          tokensPerSecond: rowsPerSecond.median * tokensPerRow,
          speedup,
          efficiency: speedup / (Math.min(workers, cores) / Math.min(options.workers[0]!, cores)),
          vsPlainCeiling: rowsPerSecond.median / plain[batchSize]!.rowsPerSecond.median,
          vsSameBatching: rowsPerSecond.median / sameBatching[batchSize]!.rowsPerSecond.median,
          vsSortedCeiling: rowsPerSecond.median / ceilings[dtype].sorted.rowsPerSecond.median,
          vsNaive: rowsPerSecond.median / naive[dtype].rowsPerSecond,
          paddingWaste: spread(samples.map((run) => run.report.paddingWaste)).median,
          timeShare: median.report.timeShare,
          peakRssMb: maxOrNull(samples.map((run) => run.peakRssMb)),
          totalPeakRssMb: maxOrNull(samples.map((run) => run.totalPeakRssMb)),
          coresUsed: spreadOrNull(samples.map((run) => run.coresUsed))?.median ?? null,
        });
      }
    }
  }
  await client.query(`DROP TABLE IF EXISTS ${target}`);

  const targets = checkTargets(engine, ceilings);
  const stem = resultStem('bench', startedAt);
  const jsonFile = path.join(options.outDir, `${stem}.json`);
  const chartFile = path.join(options.outDir, `${stem}.svg`);
  const result: BenchResult = {
    kind: 'bench',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    postgres,
    loadAverage: { before: machine.loadAverage, after: loadAverage() },
    table: options.tableArg,
    tableSource: loaded.source,
    rows: texts.length,
    realTokensPerRow: tokensPerRow,
    model: options.model,
    dtypes: options.dtypes,
    batchSizes: options.batchSizes,
    workers: options.workers,
    repeat: options.repeat,
    maxBatchTokens: budget,
    sortWindow,
    ceilings,
    naive,
    startupSeconds,
    engine,
    targets,
    files: { json: jsonFile, chart: chartFile },
  };
  process.stdout.write(`\n${formatBench(result)}`);
  writeResult(options.outDir, path.basename(jsonFile), JSON.stringify(result, null, 2) + '\n');
  writeResult(options.outDir, path.basename(chartFile), await chart(result));
  process.stdout.write(`results: ${jsonFile}\nchart:   ${chartFile}\n`);
  return result;
}

/** Texts the CLI will embed: the first `limit` rows in id order, without the blank ones it skips. */
async function readTexts(client: pg.Client, table: string, limit: number | undefined): Promise<string[]> {
  const { rows } = await client.query<{ text: string | null }>(
    `SELECT text FROM ${table} ORDER BY id ${limit === undefined ? '' : `LIMIT ${limit}`}`,
  );
  return rows.map((row) => row.text).filter((text): text is string => !isBlank(text));
}

function engineArgs(options: BenchOptions, dtype: Dtype, batchSize: number, workers: number, target: string) {
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

function checkTargets(engine: EngineConfigResult[], ceilings: Record<string, DtypeCeilings>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const groups = new Map<string, EngineConfigResult[]>();
  for (const e of engine) groups.set(`${e.dtype}/${e.batchSize}`, [...(groups.get(`${e.dtype}/${e.batchSize}`) ?? []), e]);
  for (const group of groups.values()) {
    const { dtype, batchSize } = group[0]!;
    const best = group.reduce((a, b) => (b.rowsPerSecond.median > a.rowsPerSecond.median ? b : a));
    const at = (workers: number) => group.find((e) => e.workers === workers);
    const add = (issue: number, target: string, value: number, threshold: string, holds: boolean) =>
      checks.push({ issue, target, dtype, batchSize, value, threshold, holds });
    add(3, `best (${best.workers} workers) / plain ceiling at batch ${batchSize}`, best.vsPlainCeiling, '>= 0.9', best.vsPlainCeiling >= 0.9);
    if (at(1) && at(2)) {
      const ratio = at(2)!.rowsPerSecond.median / at(1)!.rowsPerSecond.median;
      add(3, 'workers 2 / workers 1', ratio, '>= 1.8', ratio >= 1.8);
    }
    if (at(8)) {
      const ratio = at(8)!.rowsPerSecond.median / best.rowsPerSecond.median;
      add(3, `workers 8 / best (${best.workers} workers)`, ratio, '>= 0.9', ratio >= 0.9);
      add(8, `workers 8 / best (${best.workers} workers)`, ratio, '>= 0.95', ratio >= 0.95);
    }
    add(8, `padding waste (workers ${best.workers})`, best.paddingWaste, '<= 1.15', best.paddingWaste <= 1.15);
    const vsSorted = best.rowsPerSecond.median / ceilings[dtype]!.sorted.rowsPerSecond.median;
    add(8, `best (${best.workers} workers) / sorted ceiling`, vsSorted, '>= 0.9', vsSorted >= 0.9);
  }
  return checks;
}

function formatBench(result: BenchResult): string {
  const out: string[] = [];
  out.push(
    `${formatMachineFacts(result.machine)}, PostgreSQL ${result.postgres}\n` +
      `table ${result.table} (${result.tableSource}), ${result.rows} rows per run, ${fixed(result.realTokensPerRow)} real tokens per row, ` +
      `model ${result.model}, engine budget ${result.maxBatchTokens}, sort window ${result.sortWindow}, repeat ${result.repeat}, ` +
      `load average ${result.loadAverage.before} -> ${result.loadAverage.after}\n`,
  );
  const ceilingRows: string[][] = [];
  for (const dtype of result.dtypes) {
    const c = result.ceilings[dtype]!;
    const row = (label: string, r: Repeated) => {
      const t = r.samples[0]!;
      return [
        dtype,
        label,
        `${t.sessions}x${t.threadsPerSession}`,
        formatSpread(r.rowsPerSecond),
        fixed(r.rowsPerSecond.median * (t.realTokens / t.rows), 0),
        fixed(t.paddingWaste, 2),
        fixed(spread(r.samples.map((sample) => sample.coresUsed)).median, 2),
      ];
    };
    ceilingRows.push(row(`sorted ceiling (all sorted, budget ${c.sorted.budget})`, c.sorted));
    for (const b of result.batchSizes) ceilingRows.push(row(`plain: batch ${b} in table order`, c.plain[b]!));
    for (const b of result.batchSizes) {
      ceilingRows.push(row(`same batching: batch ${b} x window ${result.sortWindow}, budget ${result.maxBatchTokens}`, c.sameBatching[b]!));
    }
    const n = result.naive[dtype]!;
    ceilingRows.push([dtype, `naive: 1 row, INSERT, COMMIT (${n.rows} rows)`, `1x${n.threads}`, fixed(n.rowsPerSecond), fixed(n.tokensPerSecond, 0), '1.00', '-']);
  }
  out.push('bare encoder (no database) and naive loop\n');
  out.push(formatTable(['dtype', 'measure', 'sessions x threads', 'rows/s', 'tokens/s', 'padding', 'cores'], ceilingRows));
  out.push('\nend to end (node bin/embed.js ... --json)\n');
  out.push(
    formatTable(
      ['dtype', 'batch', 'workers', 'threads', 'rows/s', 'tokens/s', 'speedup', 'eff.', '/plain', '/same', '/sorted', '/naive', 'padding', 'read', 'tok.', 'infer', 'write', 'RSS MB', 'cores', 'start s', 'steady rows/s'],
      result.engine.map((e) => [
        e.dtype,
        String(e.batchSize),
        String(e.workers),
        String(e.threads),
        formatSpread(e.rowsPerSecond),
        fixed(e.tokensPerSecond, 0),
        `${fixed(e.speedup, 2)}x`,
        percent(e.efficiency),
        fixed(e.vsPlainCeiling, 2),
        fixed(e.vsSameBatching, 2),
        fixed(e.vsSortedCeiling, 2),
        fixed(e.vsNaive, 1),
        fixed(e.paddingWaste, 2),
        percent(e.timeShare.read),
        percent(e.timeShare.tokenize),
        percent(e.timeShare.inference),
        percent(e.timeShare.write),
        fixed(e.peakRssMb, 0),
        fixed(e.coresUsed, 2),
        fixed(result.startupSeconds[e.dtype]?.[e.workers], 1),
        e.steadyRowsPerSecond ? formatSpread(e.steadyRowsPerSecond) : '-',
      ]),
    ),
  );
  out.push('\ntargets\n');
  out.push(
    formatTable(
      ['issue', 'dtype', 'batch', 'target', 'value', 'needs', 'holds'],
      result.targets.map((t) => [`#${t.issue}`, t.dtype, String(t.batchSize), t.target, fixed(t.value, 2), t.threshold, t.holds ? 'yes' : 'NO']),
    ),
  );
  return out.join('');
}

async function chart(result: BenchResult): Promise<string> {
  const points: ScalingPoint[] = result.engine.map((e) => ({
    dtype: e.dtype,
    group: `batch ${e.batchSize}`,
    workers: e.workers,
    median: e.rowsPerSecond.median,
    min: e.rowsPerSecond.min,
    max: e.rowsPerSecond.max,
  }));
  const lines: CeilingLine[] = [];
  for (const dtype of result.dtypes) {
    const c = result.ceilings[dtype]!;
    lines.push({ dtype, group: 'all sorted', line: 'sorted ceiling', rowsPerSecond: c.sorted.rowsPerSecond.median });
    for (const b of result.batchSizes) {
      lines.push({ dtype, group: `batch ${b}`, line: 'plain ceiling', rowsPerSecond: c.plain[b]!.rowsPerSecond.median });
    }
    lines.push({ dtype, group: 'one row at a time', line: 'naive loop', rowsPerSecond: result.naive[dtype]!.rowsPerSecond });
  }
  return scalingChart(points, lines, `${result.model}: rows/s against workers (${result.rows} rows, ${result.machine.cores} cores)`);
}

interface ScaleResult {
  kind: 'bench-scale';
  startedAt: string;
  machine: MachineFacts;
  model: string;
  dtype: Dtype;
  batchSize: number;
  workers: number;
  limit?: number;
  sizes: { rows: number; table: string; rowsPerSecond: Spread; peakRssMb: Spread | null; totalPeakRssMb: Spread | null; runs: EngineRun[] }[];
  peakRssRatio: number | null;
  holds: boolean | null;
}

/** The same command on tables of growing size: peak RSS must stay flat, rows/s should too. */
async function tableScaleBench(client: pg.Client, options: BenchOptions): Promise<ScaleResult> {
  const startedAt = new Date();
  const machine = machineFacts();
  const dtype = options.dtypes[0]!;
  const batchSize = options.batchSizes[0]!;
  const workers = options.workers[options.workers.length - 1]!;
  await benchModel(options.model, dtype);
  log(
    `bench --scale: model ${options.model} (${dtype}), batch ${batchSize}, workers ${workers}, ` +
      `${options.limit === undefined ? 'whole tables' : `--limit ${options.limit}`}\n${formatMachineFacts(machine)}`,
  );
  const sizes: ScaleResult['sizes'] = [];
  for (const rows of options.scaleRows) {
    const name: TableName = { schema: options.table.schema, name: `${options.table.name}_${sizeLabel(rows)}` };
    const tableArg = quoteTable(name);
    // Reloaded every time, with every row's text distinct: a table left by an earlier run may have plain
    // repeats, which the engine would copy rather than embed.
    log(`loading ${tableArg}: ${rows} rows`);
    await loadCorpus(client, {
      table: tableArg,
      corpus: options.corpus,
      rows,
      keepOrder: options.keepOrder,
      seed: options.seed,
      distinctRepeats: true,
      replace: true,
    });
    const target = quoteTable({ schema: name.schema, name: `${name.name}_bench_embeddings` });
    const runs: EngineRun[] = [];
    for (let r = 0; r < options.repeat; r++) {
      await client.query(`DROP TABLE IF EXISTS ${target}`);
      const run = await runEngine({ ...engineArgs(options, dtype, batchSize, workers, target), table: tableArg });
      log(`${rows} rows: ${fixed(run.report.rowsPerSecond)} rows/s, peak RSS ${fixed(run.peakRssMb, 0)} MB, load average ${loadAverage()}`);
      runs.push(run);
    }
    await client.query(`DROP TABLE IF EXISTS ${target}`);
    sizes.push({
      rows,
      table: tableArg,
      rowsPerSecond: spread(runs.map((run) => run.report.rowsPerSecond)),
      peakRssMb: spreadOrNull(runs.map((run) => run.peakRssMb)),
      totalPeakRssMb: spreadOrNull(runs.map((run) => run.totalPeakRssMb)),
      runs,
    });
  }
  const first = sizes[0]!.peakRssMb;
  const last = sizes[sizes.length - 1]!.peakRssMb;
  const peakRssRatio = first && last ? last.median / first.median : null;
  const result: ScaleResult = {
    kind: 'bench-scale',
    startedAt: startedAt.toISOString(),
    machine,
    model: options.model,
    dtype,
    batchSize,
    workers,
    limit: options.limit,
    sizes,
    peakRssRatio,
    holds: peakRssRatio === null ? null : peakRssRatio <= 1.1,
  };
  process.stdout.write(
    '\n' +
      formatTable(
        ['rows', 'rows/s', 'peak RSS MB', 'total RSS MB', 'RSS at 10/50/90% of the run', 'elapsed s'],
        sizes.map((s) => [
          String(s.rows),
          formatSpread(s.rowsPerSecond),
          s.peakRssMb ? formatSpread(s.peakRssMb, 0) : '-',
          s.totalPeakRssMb ? formatSpread(s.totalPeakRssMb, 0) : '-',
          [0.1, 0.5, 0.9].map((at) => fixed(s.runs[0]!.rssTimelineMb[Math.floor(at * s.runs[0]!.rssTimelineMb.length)], 0)).join(' / '),
          fixed(spread(s.runs.map((run) => run.report.elapsedSeconds)).median),
        ]),
      ) +
      `peak RSS ${sizeLabel(sizes[sizes.length - 1]!.rows)} / ${sizeLabel(sizes[0]!.rows)}: ${fixed(peakRssRatio, 3)} ` +
      `(target <= 1.10: ${result.holds === null ? 'unknown' : result.holds ? 'holds' : 'does NOT hold'})\n`,
  );
  const file = writeResult(options.outDir, `${resultStem('bench-scale', startedAt)}.json`, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`results: ${file}\n`);
  return result;
}

/**
 * Rows/s without the start-up (pool, model loading, first runs), which a short run pays in full and a
 * long one amortises; null when start-up is most of the run, where the estimate would be noise.
 */
function steadyRate(run: EngineRun, startupSeconds: number): number | null {
  const working = run.report.elapsedSeconds - startupSeconds;
  return working < run.report.elapsedSeconds / 2 ? null : run.report.rowsEmbedded / working;
}

function repeated(samples: Throughput[]): Repeated {
  return { samples, rowsPerSecond: spread(samples.map((t) => t.rowsPerSecond)) };
}

/** 1, 2, 4, ... up to max, and max itself. */
function doublings(max: number): number[] {
  const counts: number[] = [];
  for (let n = 1; n < max; n *= 2) counts.push(n);
  counts.push(max);
  return counts;
}

function sizeLabel(rows: number): string {
  if (rows % 1_000_000 === 0) return `${rows / 1_000_000}m`;
  if (rows % 1000 === 0) return `${rows / 1000}k`;
  return String(rows);
}

function spreadOrNull(values: (number | null)[]): Spread | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? spread(present) : null;
}

function maxOrNull(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.max(...present) : null;
}

function seedOption(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${JSON.stringify(value)}`);
  return seed;
}

function dtypeOption(value: string): Dtype {
  if (value !== 'fp32' && value !== 'q8') throw new Error(`--dtype takes fp32 and/or q8, got ${value}`);
  return value;
}

function logThroughput(dtype: Dtype, t: Throughput): void {
  log(
    `${dtype} ${t.label}: ${fixed(t.rowsPerSecond)} rows/s, padding ${fixed(t.paddingWaste, 2)}, ` +
      `cores used ${fixed(t.coresUsed, 2)}, load average ${t.loadAverage}`,
  );
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
