/**
 * What sharing a job between hosts costs, on this machine:
 *
 * 1. Coordination overhead: the same shuffled corpus rows embedded by one host with 2 workers (a plain
 *    run, and the same with --distributed) and by 2 hosts with 1 worker each (two `--distributed`
 *    processes, each its own state file and folder, each one thread: its share of the cores), on the
 *    same 2 cores; rows/s from the first host's start to the last one's exit. Configurations
 *    alternate, runs repeat.
 * 2. The queue's cost per range: a host's fetch, then the completing transaction (host counts and
 *    pg-boss's complete), timed one after the other on one connection pool, and the ranges per second
 *    the server sustains with many hosts doing it at once.
 * 3. From those, how many hosts one PostgreSQL queue serves before it is the bottleneck.
 *
 *   npm run bench:hosts -- [--rows 20000] [--model minilm-l6-random] [--dtype q8] [--runs 2]
 *                          [--ranges 2000] [--database-url URL]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadCorpus } from '../scripts/load-corpus.js';
import { queueSchema } from '../src/distributed/queue-schema.js';
import { packageRoot } from '../src/paths.js';
import { benchModel } from './bench-model.js';
import { runJson } from './capture-table.js';
import { formatMachineFacts, loadAverage, machineFacts } from './machine-facts.js';
import { dtypeOption, positiveOption } from './options.js';
import { queueCost, quantiles } from './queue-cost.js';
import { fixed, formatTable, percent } from './text-table.js';

const bin = path.join(packageRoot, 'bin', 'embed.js');
const table = 'hosts_bench';

interface Options {
  rows: number;
  model: string;
  dtype: 'fp32' | 'q8';
  runs: number;
  ranges: number;
  databaseUrl: string;
}

interface Setup {
  name: string;
  hosts: number;
  workers: number;
  distributed: boolean;
}

const setups: Setup[] = [
  { name: '1 host x 2 workers', hosts: 1, workers: 2, distributed: false },
  { name: '1 host x 2 workers, --distributed', hosts: 1, workers: 2, distributed: true },
  { name: '2 hosts x 1 worker, --distributed', hosts: 2, workers: 1, distributed: true },
];

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const model = await benchModel(options.model, options.dtype);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const loaded = await loadCorpus(client, { table, rows: options.rows, replace: true });
    console.log(formatMachineFacts(machineFacts()));
    console.log(`${loaded.rows} rows of ${loaded.source} (shuffled), model ${options.model} ${options.dtype}, batch 100, ${options.runs} run(s) of each, alternating\n`);

    const results = new Map<string, number[]>(setups.map((s) => [s.name, []]));
    for (let round = 0; round < options.runs; round++) {
      for (const setup of setups) {
        await client.query(`DROP TABLE IF EXISTS ${table}_embeddings`);
        await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
        const loadBefore = loadAverage();
        const rate = await runSetup(setup, model.dir, options);
        results.get(setup.name)!.push(rate);
        console.log(`  ${setup.name}: ${fixed(rate)} rows/s (load average ${fixed(loadBefore)} before, ${fixed(loadAverage())} after)`);
      }
    }
    const best = (name: string) => Math.max(...results.get(name)!);
    const baseline = best(setups[0]!.name);
    console.log(
      '\n' +
        formatTable(
          ['setup', 'rows/s (best)', 'median', 'all runs', 'best vs 1 host x 2 workers'],
          setups.map((s) => [
            s.name,
            fixed(best(s.name)),
            fixed(median(results.get(s.name)!)),
            results.get(s.name)!.map((r) => fixed(r)).join(', '),
            percent(best(s.name) / baseline - 1),
          ]),
        ),
    );

    await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
    const cost = await queueCost(options.databaseUrl, options.ranges);
    console.log(
      `\nqueue cost per range (${options.ranges} ranges, fetch then the completing transaction, one host): ` +
        `fetch p50 ${fixed(cost.fetch.p50, 2)} ms, p95 ${fixed(cost.fetch.p95, 2)} ms; complete p50 ${fixed(cost.complete.p50, 2)} ms, ` +
        `p95 ${fixed(cost.complete.p95, 2)} ms; together ${fixed(cost.perRangeMs, 2)} ms on average`,
    );
    console.log(`ranges/s the server sustains with ${cost.concurrentHosts} hosts fetching and completing at once: ${fixed(cost.rangesPerSecond)}`);
    const hostRate = best(setups[2]!.name) / 2;
    const rangeRows = 16_000;
    const capacity = cost.rangesPerSecond * rangeRows;
    console.log(
      `\none queue serves ${fixed(cost.rangesPerSecond)} ranges/s x ${rangeRows} rows per full range = ${fixed(capacity / 1e6, 1)} M rows/s; ` +
        `at ${fixed(hostRate)} rows/s per 1-worker host that is ${Math.floor(capacity / hostRate).toLocaleString('en-US')} such hosts, ` +
        `or ${Math.floor(capacity / (hostRate * 16)).toLocaleString('en-US')} 32-core hosts (16x) before the queue is the bottleneck`,
    );
    await client.query(`DROP TABLE IF EXISTS ${table}_embeddings`);
    await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Rows/s from the first host's start to the last host's exit. */
async function runSetup(setup: Setup, model: string, options: Options): Promise<number> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'embed-hosts-bench-'));
  try {
    const startedAt = performance.now();
    const reports = await Promise.all(
      Array.from({ length: setup.hosts }, (_, i) => {
        const dir = path.join(root, `host-${i}`);
        mkdirSync(dir);
        // Each host gets its share of this machine's cores, as a host of its own would have them.
        const threads = Math.max(1, Math.floor(os.availableParallelism() / (setup.hosts * setup.workers)));
        const args = [bin, table, '100', '--workers', String(setup.workers), '--threads', String(threads), '--model', model, '--dtype', options.dtype];
        args.push('--database-url', options.databaseUrl, '--state', path.join(dir, 'state.sqlite'), '--json');
        if (setup.distributed) args.push('--distributed');
        return runHost(args, dir);
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const rows = reports.reduce((n, r) => n + r.rowsEmbedded, 0);
    if (rows !== options.rows) throw new Error(`${setup.name}: ${rows} rows embedded, expected ${options.rows}`);
    return rows / seconds;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function runHost(args: string[], cwd: string): Promise<{ rowsEmbedded: number }> {
  return runJson(args, cwd);
}

function median(values: number[]): number {
  return quantiles(values).p50;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      model: { type: 'string' },
      dtype: { type: 'string' },
      runs: { type: 'string' },
      ranges: { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('pass --database-url (or set DATABASE_URL): the bench writes tables there');
  return {
    rows: values.rows === undefined ? 20_000 : positiveOption(values.rows, '--rows'),
    model: values.model ?? 'minilm-l6-random',
    dtype: dtypeOption(values.dtype ?? 'q8'),
    runs: values.runs === undefined ? 2 : positiveOption(values.runs, '--runs'),
    ranges: values.ranges === undefined ? 2000 : positiveOption(values.ranges, '--ranges'),
    databaseUrl,
  };
}

await main(process.argv.slice(2));
