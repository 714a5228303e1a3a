/**
 * The documents of `npm run bench:documents`: sentences of the corpus run together into documents of
 * 200 to 5,000 word pieces of the model's tokenizer (log-uniform, so short and long ones both count),
 * now and then a paragraph break between two sentences; seeded, so the same options make the same
 * documents. Loaded into a table (id bigint, text) with the sentences table of the same model's run.
 */
import { existsSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { defaultCorpus } from '../scripts/load-corpus.js';
import { SeededRandom } from '../scripts/model-maker/seeded-random.js';
import { syntheticSentences } from '../scripts/synthetic-text.js';
import type { TokenCounter } from '../workers/chunker.js';

export const MIN_DOCUMENT_PIECES = 200;
export const MAX_DOCUMENT_PIECES = 5_000;
/** The corpus lines documents are drawn from: each is tokenized once. */
const POOL_LINES = 50_000;

export function corpusLines(file: string | undefined): { lines: string[]; source: string } {
  const corpus = file ?? defaultCorpus;
  if (!existsSync(corpus)) {
    if (file !== undefined) throw new Error(`corpus ${file} does not exist`);
    return { lines: syntheticSentences(POOL_LINES), source: 'synthetic' };
  }
  const lines = readFileSync(corpus, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, POOL_LINES);
  return { lines, source: corpus };
}

export function makeDocuments(lines: readonly string[], count: number, counter: TokenCounter, seed = 22): string[] {
  const pieces = lines.map((line) => counter.countPlain(line));
  const random = new SeededRandom(seed);
  const documents: string[] = [];
  const spread = Math.log(MAX_DOCUMENT_PIECES / MIN_DOCUMENT_PIECES);
  for (let i = 0; i < count; i++) {
    const target = Math.round(MIN_DOCUMENT_PIECES * Math.exp(random.uniform() * spread));
    let at = Math.floor(random.uniform() * lines.length);
    let total = 0;
    let text = '';
    while (total < target) {
      const separator = text === '' ? '' : random.uniform() < 0.1 ? '\n\n' : ' ';
      text += separator + lines[at]!;
      total += pieces[at]!;
      at = (at + 1) % lines.length;
    }
    documents.push(text);
  }
  return documents;
}

/** A fresh table (id bigint primary key, text) of the texts, ids from 1, loaded in slices. */
export async function loadTexts(client: pg.Client, table: string, texts: readonly string[]): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}_chunks, ${table}_embeddings, ${table}`);
  await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, text text)`);
  const slice = 500;
  for (let start = 0; start < texts.length; start += slice) {
    const part = texts.slice(start, start + slice);
    await client.query(`INSERT INTO ${table} (id, text) SELECT * FROM unnest($1::bigint[], $2::text[])`, [
      part.map((_, i) => start + i + 1),
      part,
    ]);
  }
  await client.query(`ANALYZE ${table}`);
}
