/**
 * Fills a table `<name>(id bigint primary key, text text)` with benchmark text: the lines of a corpus
 * file (default ../shared/data/sentences.txt), repeated to reach the wanted row count, or synthetic
 * sentences when there is no corpus. Ids are handed out in a seeded random order of the lines by
 * default, because a real table's ids are not sorted by text length and sorting is what batching
 * exploits; --keep-order keeps file order.
 *
 *   node dist/scripts/load-corpus.js [table] [--rows N] [--corpus FILE] [--keep-order] [--seed S]
 *                                    [--distinct-repeats] [--replace] [--database-url URL]
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { packageRoot } from '../src/paths.js';
import { parseTableName, quoteTable } from '../src/db/table-name.js';
import { SeededRandom } from './model-maker/seeded-random.js';
import { syntheticSentences } from './synthetic-text.js';
import { withTransaction } from '../common/transaction.js';

export const defaultCorpus = path.resolve(packageRoot, '..', 'shared', 'data', 'sentences.txt');

export interface LoadCorpusOptions {
  /** Table name as a user types it (`sentences`, `public.sentences`, `"My Texts"`). */
  table: string;
  /** A text file, one text per line; default ../shared/data/sentences.txt, synthetic text when missing. */
  corpus?: string;
  /** Rows to write; default one per corpus line (10,000 for synthetic text). */
  rows?: number;
  /** File order instead of the seeded random order. */
  keepOrder?: boolean;
  seed?: number;
  /**
   * Mark each repetition of the corpus past the first (" (2)", " (3)", ...) so that no two rows share a
   * text: the engine copies the vector of a text it has embedded already, so plain repeats would measure
   * that shortcut rather than the model.
   */
  distinctRepeats?: boolean;
  /** Drop and reload a table that exists; otherwise an existing table is left as it is. */
  replace?: boolean;
}

export interface LoadedCorpus {
  /** False when the table existed and was kept. */
  created: boolean;
  rows: number;
  /** The file the texts came from, or 'synthetic'. */
  source: string;
}

export async function loadCorpus(client: pg.ClientBase, options: LoadCorpusOptions): Promise<LoadedCorpus> {
  const table = quoteTable(parseTableName(options.table));
  const exists = (await client.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table])).rows[0].exists as boolean;
  if (exists && !options.replace) {
    const rows = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return { created: false, rows, source: 'existing table' };
  }
  const { lines, source } = readCorpus(options.corpus, options.rows);
  const rows = options.rows ?? lines.length;
  const order = options.keepOrder ? undefined : shuffledIndices(lines.length, options.seed ?? 42);
  await withTransaction(client, async () => {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (id bigint NOT NULL, text text)`);
    await pipeline(
      Readable.from(copyLines(lines, order, rows, options.distinctRepeats ?? false)),
      client.query(copyFrom(`COPY ${table} (id, text) FROM STDIN`)),
    );
    // The key after the load: one index build is much faster than a million index insertions.
    await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
  });
  await client.query(`ANALYZE ${table}`);
  return { created: true, rows, source };
}

function readCorpus(file: string | undefined, rows: number | undefined): { lines: string[]; source: string } {
  const corpus = file ?? defaultCorpus;
  if (existsSync(corpus)) {
    const lines = readFileSync(corpus, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    if (lines.length === 0) throw new Error(`corpus ${corpus} has no text`);
    return { lines, source: corpus };
  }
  if (file !== undefined) throw new Error(`corpus ${file} does not exist`);
  return { lines: syntheticSentences(Math.min(rows ?? 10_000, 200_000)), source: 'synthetic' };
}

/** Fisher-Yates with the project's seeded generator: the same seed gives the same table everywhere. */
function shuffledIndices(length: number, seed: number): Uint32Array {
  const order = new Uint32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  const random = new SeededRandom(seed);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** COPY text format, a few thousand rows per chunk; the corpus repeats (in the same order) past its end. */
function* copyLines(lines: string[], order: Uint32Array | undefined, rows: number, distinctRepeats: boolean): Generator<string> {
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const line = i % lines.length;
    const round = Math.floor(i / lines.length);
    const text = lines[order ? order[line]! : line]! + (distinctRepeats && round > 0 ? ` (${round + 1})` : '');
    chunk.push(`${i + 1}\t${escapeCopyText(text)}\n`);
    if (chunk.length === 5000) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

function escapeCopyText(text: string): string {
  // PostgreSQL text cannot hold NUL; the rest are COPY's own escapes.
  return text.replaceAll('\0', '').replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\r', '\\r').replaceAll('\n', '\\n');
}

async function main(args: string[]): Promise<number> {
  const usage =
    'usage: load-corpus [table] [--rows N] [--corpus FILE] [--keep-order] [--seed S] [--distinct-repeats] [--replace] [--database-url URL]';
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs call below, which needs its options inline
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        rows: { type: 'string' },
        corpus: { type: 'string' },
        'keep-order': { type: 'boolean' },
        seed: { type: 'string' },
        'distinct-repeats': { type: 'boolean' },
        replace: { type: 'boolean' },
        'database-url': { type: 'string' },
      },
    });
  } catch (error) {
    console.error(`load-corpus: ${(error as Error).message}; ${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const rows = values.rows === undefined ? undefined : Number(values.rows);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (
    positionals.length > 1 ||
    (rows !== undefined && !(Number.isInteger(rows) && rows > 0)) ||
    (seed !== undefined && !Number.isInteger(seed))
  ) {
    console.error(`load-corpus: ${usage}`);
    return 2;
  }
  const client = new pg.Client({ connectionString: values['database-url'] ?? process.env.DATABASE_URL });
  try {
    await client.connect();
    const table = positionals[0] ?? 'sentences';
    const loaded = await loadCorpus(client, {
      table,
      corpus: values.corpus,
      rows,
      keepOrder: values['keep-order'],
      seed,
      distinctRepeats: values['distinct-repeats'],
      replace: values.replace,
    });
    console.log(
      loaded.created
        ? `${table}: loaded ${loaded.rows} rows from ${loaded.source}`
        : `${table}: exists with ${loaded.rows} rows, kept (--replace reloads it)`,
    );
    return 0;
  } catch (error) {
    console.error(`load-corpus: ${(error as Error).message.split('\n')[0]}`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && realpathSync(invokedPath) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
