/**
 * Searching with and without the index a run builds: a table of corpus sentences embedded by the real
 * CLI into PGlite with pgvector (served over the wire protocol: this machine's PostgreSQL has no
 * pgvector), then the same queries answered exactly (a scan of every vector) and through the HNSW index
 * embed builds once the pass completes. Prints recall@k of the index against the exact answers at the
 * default hnsw.ef_search, query latency p50/p95 both ways (a client over the socket, as embed search
 * runs them), the index's build time and size, and the side table's size as vector and as halfvec.
 *
 *   npm run bench:search -- [--rows 100000] [--queries 200] [--k 10] [--model minilm-l6-random]
 *                           [--threads N] [--maintenance-work-mem 512MB] [--corpus FILE]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { defaultCorpus } from '../scripts/load-corpus.js';
import { SeededRandom } from '../scripts/model-maker/seeded-random.js';
import { syntheticSentences } from '../scripts/synthetic-text.js';
import { parseTableName, quoteTable } from '../src/db/table-name.js';
import { openEmbedder } from '../src/library/index.js';
import { nearestRows } from '../src/search/nearest-rows.js';
import { nearestRowsSql } from '../src/search/nearest-sql.js';
import { describeSource } from '../src/source/source-table.js';
import { packageRoot } from '../src/paths.js';
import { benchModel } from './bench-model.js';
import { formatMachineFacts, machineFacts } from './machine-facts.js';
import { positiveOption } from './options.js';
import { fixed, formatTable } from './text-table.js';

interface Options {
  rows: number;
  queries: number;
  k: number;
  model: string;
  threads: number;
  maintenanceWorkMem: string;
  corpus: string;
}

const port = 20000 + Math.floor(Math.random() * 20000);
const url = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const model = await benchModel(options.model, 'fp32');
  const { rows, queries, source } = texts(options);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'search-bench-'));
  const pglite = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db: pglite, port, host: '127.0.0.1', maxConnections: 8 });
  try {
    await pglite.exec('CREATE EXTENSION vector; CREATE TABLE sentences (id bigint PRIMARY KEY, text text)');
    for (let at = 0; at < rows.length; at += 10_000) {
      const slice = rows.slice(at, at + 10_000);
      await pglite.query('INSERT INTO sentences SELECT * FROM unnest($1::bigint[], $2::text[])', [slice.map((_, i) => at + i + 1), slice]);
    }
    await server.start();
    console.log(formatMachineFacts(machineFacts()));
    console.log(
      `${rows.length} rows (${source}), ${queries.length} queries, k ${options.k}; model ${options.model} (${model.dimension} dimensions); ` +
        `PGlite ${(await pglite.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' ')[1]} with pgvector ` +
        `${(await pglite.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)).rows[0]!.v}, over its socket server\n`,
    );
    const state = path.join(scratch, 'state.sqlite');
    // One worker (with a thread per core): PGlite has one backend session for every connection.
    const embedArgs = [
      'sentences',
      '--workers',
      '1',
      '--threads',
      String(options.threads),
      '--write-method',
      'insert',
      '--model',
      model.dir,
    ];
    const common = ['--database-url', url, '--state', state, '--json'];
    let seconds = 0;
    let stored = 0;
    // A run ends early only when stopped; should one, the next resumes where it ended.
    for (let run = 0; run < 3 && stored < rows.length; run++) {
      seconds += (await cli([...embedArgs, '--index', 'none', ...common])).elapsedSeconds;
      stored = Number((await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM sentences_embeddings')).rows[0]!.n);
    }
    if (stored !== rows.length) throw new Error(`${stored} of ${rows.length} rows embedded`);
    console.log(`embedded: ${stored} rows in ${fixed(seconds, 1)} s (${fixed(stored / seconds, 1)} rows/s)`);

    const embedder = await openEmbedder({ model: model.dir, threads: options.threads });
    const vectors: Float32Array[] = [];
    try {
      for (const query of queries) vectors.push(await embedder.embedQuery(query));
    } finally {
      await embedder.close();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const source = await describeSource(client, parseTableName('sentences'), 'id', 'text');
      const target = {
        ref: { kind: 'table', table: quoteTable({ schema: source.schema, name: 'sentences_embeddings' }) },
        chunked: false,
      } as const;
      const search = (query: Float32Array) => nearestRows(client, source, target, 'vector', query, options.k);
      const exact = await timedQueries(search, vectors);
      const built = await cli([...embedArgs, '--maintenance-work-mem', options.maintenanceWorkMem, ...common]);
      if (built.index?.kind !== 'built') throw new Error(`the index was not built: ${JSON.stringify(built.index)}`);
      const efSearch = (await client.query<{ ef: string }>(`SELECT current_setting('hnsw.ef_search') AS ef`)).rows[0]!.ef;
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${nearestRowsSql(source, target.ref, 'vector')}`, [
        `[${Array.from(vectors[0]!).join(',')}]`,
        options.k,
      ]);
      if (!plan.rows.some((row) => row['QUERY PLAN'].includes(`Index Scan using ${built.index!.name}`)))
        throw new Error(`the planner does not use the index at ${rows.length} rows; pass a larger --rows`);
      const indexed = await timedQueries(search, vectors);
      const recall =
        exact.ids.reduce((sum, ids, i) => sum + ids.filter((id) => indexed.ids[i]!.includes(id)).length / ids.length, 0) / exact.ids.length;
      const sizes = await tableSizes(client, built.index.name, model.dimension);
      console.log(
        formatTable(
          ['search', 'p50 ms', 'p95 ms', `recall@${options.k}`],
          [
            ['exact (no index)', fixed(exact.p50, 2), fixed(exact.p95, 2), '1.000'],
            [`hnsw, ef_search ${efSearch}`, fixed(indexed.p50, 2), fixed(indexed.p95, 2), fixed(recall, 3)],
          ],
        ),
      );
      console.log(
        `\nindex ${built.index.name}: built by embed in ${fixed(built.index.seconds, 1)} s (maintenance_work_mem ${options.maintenanceWorkMem}), ${mb(sizes.index)} MB`,
      );
      console.log(
        `side table (heap and TOAST, no index): vector ${mb(sizes.vector)} MB, halfvec ${mb(sizes.halfvec)} MB (${fixed(sizes.halfvec / sizes.vector, 2)}x)`,
      );
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
    await pglite.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface RunJson {
  rowsEmbedded: number;
  elapsedSeconds: number;
  rowsPerSecond: number;
  index?: { kind: string; name: string; seconds: number };
}

/** The CLI as a user runs it, asynchronously: the PGlite server answering it lives in this process. */
function cli(args: string[]): Promise<RunJson> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(packageRoot, 'bin', 'embed.js'), ...args], { maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`embed ${args.join(' ')} failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as RunJson);
    });
  });
}

/** The statement embed search runs, under its scan settings, each query timed from the client. */
async function timedQueries(search: (query: Float32Array) => Promise<{ id: string }[]>, vectors: Float32Array[]) {
  const ms: number[] = [];
  const ids: string[][] = [];
  for (const query of vectors) {
    const started = performance.now();
    const found = await search(query);
    ms.push(performance.now() - started);
    ids.push(found.map((row) => row.id));
  }
  ms.sort((a, b) => a - b);
  return { ids, p50: ms[Math.floor(ms.length * 0.5)]!, p95: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))]! };
}

/** The side table as embed made it (vector), and a copy whose column is halfvec, as --vector-type halfvec makes it. */
async function tableSizes(client: pg.Client, index: string, dimension: number) {
  await client.query('CREATE TABLE sentences_half (LIKE sentences_embeddings)');
  await client.query(`ALTER TABLE sentences_half ALTER COLUMN embedding TYPE halfvec(${dimension})`);
  await client.query('INSERT INTO sentences_half SELECT * FROM sentences_embeddings');
  await client.query('VACUUM ANALYZE sentences_embeddings, sentences_half');
  const size = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
  return {
    vector: await size(`SELECT pg_table_size('sentences_embeddings') AS n`),
    halfvec: await size(`SELECT pg_table_size('sentences_half') AS n`),
    index: await size(`SELECT pg_relation_size('${index}') AS n`),
  };
}

const mb = (bytes: number) => fixed(bytes / 1024 / 1024, 1);

/** Distinct corpus lines in a seeded order: the first `rows` for the table, the next ones as queries (not in the table). */
function texts(options: Options): { rows: string[]; queries: string[]; source: string } {
  const fromFile = existsSync(options.corpus);
  const lines = fromFile
    ? readFileSync(options.corpus, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
    : syntheticSentences(options.rows + options.queries);
  const distinct = [...new Set(lines)];
  const random = new SeededRandom(42);
  for (let i = distinct.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [distinct[i], distinct[j]] = [distinct[j]!, distinct[i]!];
  }
  const queries = distinct.slice(0, options.queries);
  const pool = distinct.slice(options.queries);
  // Past the corpus's end its lines come again, marked so that no two rows share a text.
  const rows = Array.from({ length: options.rows }, (_, i) =>
    i < pool.length ? pool[i]! : `${pool[i % pool.length]!} (${Math.floor(i / pool.length) + 1})`,
  );
  return { rows, queries, source: fromFile ? path.relative(process.cwd(), options.corpus) : 'synthetic sentences' };
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '100000' },
      queries: { type: 'string', default: '200' },
      k: { type: 'string', default: '10' },
      model: { type: 'string', default: 'minilm-l6-random' },
      threads: { type: 'string', default: String(os.availableParallelism()) },
      'maintenance-work-mem': { type: 'string', default: '512MB' },
      corpus: { type: 'string', default: defaultCorpus },
    },
  });
  return {
    rows: positiveOption(values.rows, '--rows'),
    queries: positiveOption(values.queries, '--queries'),
    k: positiveOption(values.k, '--k'),
    model: values.model!,
    threads: positiveOption(values.threads, '--threads'),
    maintenanceWorkMem: values['maintenance-work-mem']!,
    corpus: values.corpus!,
  };
}

await main(process.argv.slice(2));
