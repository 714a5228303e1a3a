/**
 * `npm run bench -- --scale`: the same command on tables of growing size (100k and 1M rows by default),
 * to show that the engine's memory does not grow with the table; rows/s should not either.
 */
import type pg from 'pg';
import { loadCorpus } from '../scripts/load-corpus.js';
import type { Dtype } from '../src/model/model-folder.js';
import { quoteTable, type TableName } from '../src/db/table-name.js';
import { engineRunOptions, type BenchOptions } from './bench-options.js';
import { benchModel } from './bench-model.js';
import { runEngine, type EngineRun } from './engine-run.js';
import { formatMachineFacts, loadAverage, machineFacts, type MachineFacts } from './machine-facts.js';
import { log } from './progress-log.js';
import { resultStem, writeResult } from './results-file.js';
import { formatSpread, spread, spreadOrNull, type Spread } from './spread.js';
import { fixed, formatTable } from './text-table.js';

interface ScaleResult {
  kind: 'bench-scale';
  startedAt: string;
  machine: MachineFacts;
  model: string;
  dtype: Dtype;
  batchSize: number;
  workers: number;
  limit?: number;
  sizes: {
    rows: number;
    table: string;
    rowsPerSecond: Spread;
    peakRssMb: Spread | null;
    totalPeakRssMb: Spread | null;
    runs: EngineRun[];
  }[];
  peakRssRatio: number | null;
  holds: boolean | null;
}

/** The same command on tables of growing size: peak RSS must stay flat, rows/s should too. */
export async function tableScaleBench(client: pg.Client, options: BenchOptions): Promise<ScaleResult> {
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
      const run = await runEngine({ ...engineRunOptions(options, dtype, batchSize, workers, target), table: tableArg });
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
        ['rows', 'rows/s', 'peak RSS MB', 'total RSS MB', 'RSS at 10/50/90% of the run (median of a tenth)', 'elapsed s'],
        sizes.map((s) => [
          String(s.rows),
          formatSpread(s.rowsPerSecond),
          s.peakRssMb ? formatSpread(s.peakRssMb, 0) : '-',
          s.totalPeakRssMb ? formatSpread(s.totalPeakRssMb, 0) : '-',
          [0.1, 0.5, 0.9].map((at) => fixed(rssAround(s.runs[0]!.rssTimelineMb, at), 0)).join(' / '),
          fixed(spread(s.runs.map((run) => run.report.elapsedSeconds)).median),
        ]),
      ) +
      `peak RSS ${sizeLabel(sizes[sizes.length - 1]!.rows)} / ${sizeLabel(sizes[0]!.rows)}: ${fixed(peakRssRatio, 3)} ` +
      `(target <= 1.10: ${result.holds === null ? 'unknown' : result.holds ? 'holds' : 'does NOT hold'})\n`,
  );
  const file = writeResult(options.outDir, `${resultStem('bench-scale', startedAt)}.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`results: ${file}\n`);
  return result;
}

/**
 * The median RSS over the tenth of the run centred on `at`: one sample lands anywhere in the swing of the
 * V8 heaps between collections (tens of MB), the median of a tenth says where the level is.
 */
function rssAround(timeline: readonly number[], at: number): number | null {
  const window = timeline.slice(Math.floor((at - 0.05) * timeline.length), Math.ceil((at + 0.05) * timeline.length)).sort((a, b) => a - b);
  return window.length === 0 ? null : window[Math.floor(window.length / 2)]!;
}

function sizeLabel(rows: number): string {
  if (rows % 1_000_000 === 0) return `${rows / 1_000_000}m`;
  if (rows % 1000 === 0) return `${rows / 1000}k`;
  return String(rows);
}
