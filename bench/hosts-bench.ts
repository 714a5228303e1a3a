/**
 * What sharing a job between hosts costs, on this machine:
 *
 * 1. Coordination overhead: the same shuffled corpus rows embedded by one host with 2 workers (a plain
 *    run, and the same with --distributed) and by 2 hosts with 1 worker each (two `--distributed`
 *    processes, each its own state file and folder, each one thread: its share of the cores), on the
 *    same 2 cores; rows/s from the first host's start to the last one's exit. Repetitions alternate
 *    the order of the setups (A B, then B A, ...), and each repetition's ratio of 2 hosts x 1 worker to
 *    1 host x 2 workers is printed with their median: the two setups of a pair meet the same load.
 * 2. The queue's cost per range: a host's fetch, then the completing transaction (host counts and
 *    pg-boss's complete), timed one after the other on one connection pool, and the ranges per second
 *    the server sustains with many hosts doing it at once.
 * 3. From those, how many hosts one PostgreSQL queue serves before it is the bottleneck.
 *
 *   npm run bench:hosts -- [--rows 20000] [--model minilm-l6-random] [--dtype q8] [--reps 3]
 *                          [--pair] [--ranges 2000] [--database-url URL]
 *
 * --pair runs only the two setups of the comparison (no 1-host --distributed run, no queue cost).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadCorpus } from '../scripts/load-corpus.js';
import { queueSchema } from '../src/distributed/queue-schema.js';
import { benchModel } from './bench-model.js';
import { measure, runEmbed } from './embed-process.js';
import { formatMachineFacts, loadAverage, machineFacts } from './machine-facts.js';
import { dtypeOption, positiveOption } from './options.js';
import { queueCost, quantiles } from './queue-cost.js';
import { fixed, formatTable, percent } from './text-table.js';

const table = 'hosts_bench';

interface Options {
  rows: number;
  model: string;
  dtype: 'fp32' | 'q8';
  reps: number;
  pair: boolean;
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
    console.log(
      `${loaded.rows} rows of ${loaded.source} (shuffled), model ${options.model} ${options.dtype}, batch 100, ${options.reps} repetition(s) of each, order alternating\n`,
    );

    const compared = options.pair ? [setups[0]!, setups[2]!] : setups;
    const results = new Map<string, number[]>(compared.map((s) => [s.name, []]));
    for (let rep = 0; rep < options.reps; rep++) {
      // Every other repetition in the opposite order, so that neither setup always runs first.
      for (const setup of rep % 2 === 0 ? compared : [...compared].reverse()) {
        await client.query(`DROP TABLE IF EXISTS ${table}_embeddings`);
        await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
        const loadBefore = loadAverage();
        const { value: rate, serverCpuSeconds } = await measure(() => runSetup(setup, model.dir, options));
        results.get(setup.name)!.push(rate);
        const cpu = serverCpuSeconds === null ? '' : `, PostgreSQL ${fixed(serverCpuSeconds)} CPU s`;
        console.log(
          `  rep ${rep + 1} ${setup.name}: ${fixed(rate)} rows/s (load average ${fixed(loadBefore)} before, ${fixed(loadAverage())} after${cpu})`,
        );
      }
    }
    const best = (name: string) => Math.max(...results.get(name)!);
    const baseline = best(setups[0]!.name);
    console.log(
      '\n' +
        formatTable(
          ['setup', 'rows/s (best)', 'median', 'all reps', 'best vs 1 host x 2 workers'],
          compared.map((s) => [
            s.name,
            fixed(best(s.name)),
            fixed(median(results.get(s.name)!)),
            results
              .get(s.name)!
              .map((r) => fixed(r))
              .join(', '),
            percent(best(s.name) / baseline - 1),
          ]),
        ),
    );
    const plain = results.get(setups[0]!.name)!;
    const hosts = results.get(setups[2]!.name)!;
    const ratios = hosts.map((rate, i) => rate / plain[i]!);
    console.log(
      `\n2 hosts x 1 worker / 1 host x 2 workers, per repetition: ${ratios.map((r) => fixed(r, 3)).join(', ')}; ` +
        `median ${fixed(median(ratios), 3)} (target: at least 0.95)`,
    );
    if (options.pair) {
      await client.query(`DROP TABLE IF EXISTS ${table}_embeddings`);
      await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
      return;
    }

    await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
    const cost = await queueCost(options.databaseUrl, options.ranges);
    console.log(
      `\nqueue cost per range (${options.ranges} ranges, fetch then the completing transaction, one host): ` +
        `fetch p50 ${fixed(cost.fetch.p50, 2)} ms, p95 ${fixed(cost.fetch.p95, 2)} ms; complete p50 ${fixed(cost.complete.p50, 2)} ms, ` +
        `p95 ${fixed(cost.complete.p95, 2)} ms; together ${fixed(cost.perRangeMs, 2)} ms on average`,
    );
    console.log(
      `ranges/s the server sustains with ${cost.concurrentHosts} hosts fetching and completing at once: ${fixed(cost.rangesPerSecond)}`,
    );
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
        const args = [
          table,
          '100',
          '--workers',
          String(setup.workers),
          '--threads',
          String(threads),
          '--model',
          model,
          '--dtype',
          options.dtype,
        ];
        args.push('--database-url', options.databaseUrl, '--state', path.join(dir, 'state.sqlite'), '--json');
        if (setup.distributed) args.push('--distributed');
        return runEmbed(args, dir);
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
      reps: { type: 'string' },
      pair: { type: 'boolean' },
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
    reps: values.reps === undefined ? 3 : positiveOption(values.reps, '--reps'),
    pair: values.pair ?? false,
    ranges: values.ranges === undefined ? 2000 : positiveOption(values.ranges, '--ranges'),
    databaseUrl,
  };
}

await main(process.argv.slice(2));
