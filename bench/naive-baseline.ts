/**
 * What the "before" scripts do, as the floor the engine is measured from: one thread of JavaScript, one
 * session (onnxruntime's usual all-cores threading), and for each row in id order: embed it alone,
 * INSERT it, COMMIT. No batching, so no padding, and a round trip and a commit per row.
 */
import os from 'node:os';
import pg from 'pg';
import { Encoder } from '../workers/encoder.js';
import type { EncoderModel } from './encoder-throughput.js';
import { encodeTexts } from '../scripts/encode-texts.js';

export interface NaiveResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  tokensPerSecond: number;
  threads: number;
}

export async function naiveBaseline(
  model: EncoderModel,
  options: { databaseUrl: string; table: string; target: string; rows: number },
): Promise<NaiveResult> {
  const threads = os.availableParallelism();
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const encoder = await Encoder.open({
    modelDir: model.dir,
    onnxFile: model.onnxFile,
    maxSequenceLength: model.maxSequenceLength,
    threads,
    device: 'cpu',
    maxBatchTokens: Number.MAX_SAFE_INTEGER,
  });
  try {
    const { rows } = await client.query<{ id: string; text: string }>(
      `SELECT id::text AS id, text FROM ${options.table} WHERE btrim(text) <> '' ORDER BY id LIMIT $1`,
      [options.rows],
    );
    await client.query(`DROP TABLE IF EXISTS ${options.target}`);
    await client.query(`CREATE TABLE ${options.target} (id bigint PRIMARY KEY, embedding real[] NOT NULL)`);
    await encodeTexts(encoder, ['warm up the session before the clock starts']);
    let tokens = 0;
    const startedAt = performance.now();
    for (const row of rows) {
      const encoded = await encodeTexts(encoder, [row.text]);
      tokens += encoded.realTokens;
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${options.target} (id, embedding) VALUES ($1, $2)`, [row.id, Array.from(encoded.vectors)]);
      await client.query('COMMIT');
    }
    const seconds = (performance.now() - startedAt) / 1000;
    return { rows: rows.length, seconds, rowsPerSecond: rows.length / seconds, tokensPerSecond: tokens / seconds, threads };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${options.target}`).catch(() => undefined);
    await encoder.release();
    await client.end();
  }
}
