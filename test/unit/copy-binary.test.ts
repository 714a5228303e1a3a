/**
 * The binary COPY encoding, read back by a real PostgreSQL with pgvector (PGlite, which accepts COPY
 * from a blob in-process): vector and real[] values must arrive bit for bit.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeStageRows } from '../../dist/workers/copy-binary.js';

describe('encodeStageRows', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create({ extensions: { vector } });
    await db.exec('CREATE EXTENSION vector');
  });
  afterAll(async () => db.close());

  const vectors = new Float32Array([0.1, -0.2, 1e-8, 0.5, Math.fround(1 / 3), -1, 0, 2.5]);
  const rows = [
    {
      id: '1',
      vector: vectors.subarray(0, 4),
      contentHash: 'aa',
      inputKey: Buffer.from('00ff10', 'hex'),
      tokenCount: 7,
      truncated: false,
      charCount: 12,
      wordCount: 3,
    },
    {
      id: 'ü-2',
      vector: vectors.subarray(4),
      contentHash: 'bb',
      inputKey: null,
      tokenCount: 300,
      truncated: true,
      charCount: 2_000_000,
      wordCount: 0,
    },
    {
      id: '3',
      vector: null,
      contentHash: 'cc',
      inputKey: Buffer.alloc(16, 7),
      tokenCount: 2,
      truncated: false,
      charCount: 1,
      wordCount: 1,
    },
  ];

  it.each(['vector', 'real[]'] as const)('round-trips %s and every other stage column, NULLs included', async (format) => {
    const table = format === 'vector' ? 'stage_vector' : 'stage_array';
    await db.exec(
      `CREATE TABLE ${table} (id text, embedding ${format}, content_hash text, input_hash bytea, token_count integer, truncated boolean, char_count integer, word_count integer)`,
    );
    const data = encodeStageRows(rows, format);
    await db.query(`COPY ${table} FROM '/dev/blob' (FORMAT binary)`, [], { blob: new Blob([new Uint8Array(data)]) });
    const stored = await db.query<{
      id: string;
      embedding: string | null;
      content_hash: string;
      key: string | null;
      token_count: number;
      truncated: boolean;
      char_count: number;
      word_count: number;
    }>(
      `SELECT id, embedding::text AS embedding, content_hash, encode(input_hash, 'hex') AS key, token_count, truncated, char_count, word_count
         FROM ${table} ORDER BY id`,
    );
    expect(stored.rows.map(({ embedding: _, ...rest }) => rest)).toEqual([
      { id: '1', content_hash: 'aa', key: '00ff10', token_count: 7, truncated: false, char_count: 12, word_count: 3 },
      { id: '3', content_hash: 'cc', key: '07'.repeat(16), token_count: 2, truncated: false, char_count: 1, word_count: 1 },
      { id: 'ü-2', content_hash: 'bb', key: null, token_count: 300, truncated: true, char_count: 2_000_000, word_count: 0 },
    ]);
    const parsed = stored.rows.map(
      (r) =>
        r.embedding &&
        Array.from(
          new Float32Array(
            r.embedding
              .replace(/[[\]{}]/g, '')
              .split(',')
              .map(Number),
          ),
        ),
    );
    expect(parsed).toEqual([Array.from(vectors.subarray(0, 4)), null, Array.from(vectors.subarray(4))]);
  });
});
