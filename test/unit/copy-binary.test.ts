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

  const rows = [
    { id: '1', contentHash: 'aa' },
    { id: 'ü-2', contentHash: 'bb' },
  ];
  const vectors = new Float32Array([0.1, -0.2, 1e-8, 0.5, Math.fround(1 / 3), -1, 0, 2.5]);

  it.each(['vector', 'real[]'] as const)('round-trips %s', async (format) => {
    const table = format === 'vector' ? 'stage_vector' : 'stage_array';
    await db.exec(`CREATE TABLE ${table} (id text, embedding ${format}, content_hash text)`);
    const data = encodeStageRows(rows, vectors, 4, format);
    await db.query(`COPY ${table} FROM '/dev/blob' (FORMAT binary)`, [], { blob: new Blob([data]) });
    const stored = await db.query<{ id: string; embedding: string; content_hash: string }>(
      `SELECT id, embedding::text AS embedding, content_hash FROM ${table} ORDER BY id`,
    );
    expect(stored.rows.map((r) => [r.id, r.content_hash])).toEqual([['1', 'aa'], ['ü-2', 'bb']]);
    const parsed = stored.rows.map((r) => r.embedding.replace(/[[\]{}]/g, '').split(',').map(Number));
    expect(parsed.map((v) => Array.from(new Float32Array(v)))).toEqual([Array.from(vectors.subarray(0, 4)), Array.from(vectors.subarray(4))]);
  });
});
