/**
 * With pgvector installed the target's embedding column is vector(dim); without it, real[]. pgvector is
 * not installable on these machines' PostgreSQL, so the vector case runs against PGlite with its
 * pgvector extension, served over the PostgreSQL wire protocol. That server has no COPY, hence
 * --write-method insert, and one backend session, hence one worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { directEmbeddings, maxAbsDifference } from '../helpers/embeddings.js';
import { createTableOfTexts, textFor } from '../helpers/fixtures.js';
import { startPgliteServer, type PgliteServer } from '../helpers/pglite-server.js';

const rows = 300;
const texts = Array.from({ length: rows }, (_, i) => textFor(i + 1));

describe('embedding column type', () => {
  const modelDir = inject('tinyModelDir');
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'embed-state-'));
  let expected: Map<string, Float32Array>;

  beforeAll(async () => {
    const embeddable = texts.map((text, i) => ({ id: String(i + 1), text })).filter((r) => r.text !== null && r.text.trim() !== '');
    const vectors = await directEmbeddings(
      modelDir,
      embeddable.map((r) => r.text!),
    );
    expected = new Map(embeddable.map((r, i) => [r.id, vectors[i]!]));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  describe('with pgvector (PGlite)', () => {
    let server: PgliteServer | undefined;
    let url: string;

    beforeAll(async () => {
      server = await startPgliteServer({ pgvector: true, sentences: texts });
      url = server.url;
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('writes vector(dim) equal to the encoder output', async () => {
      const result = await runCli([
        'sentences',
        '50',
        '--workers',
        '1',
        '--write-method',
        'insert',
        '--model',
        modelDir,
        '--database-url',
        url,
        '--state',
        path.join(stateDir, 'pglite.sqlite'),
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const type = await server!.pglite.query<{ type: string }>(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'sentences_embeddings'::regclass AND attname = 'embedding'`,
      );
      expect(type.rows[0]!.type).toBe('vector(32)');
      const stored = await server!.pglite.query<{ id: string; embedding: string }>(
        'SELECT id::text AS id, embedding::text AS embedding FROM sentences_embeddings',
      );
      expect(stored.rows.length).toBe(expected.size);
      for (const row of stored.rows) {
        expect(maxAbsDifference(JSON.parse(row.embedding) as number[], expected.get(row.id)!)).toBeLessThanOrEqual(1e-6);
      }
    });
  });

  describe('without pgvector (PostgreSQL)', () => {
    const fixture = useTestDatabase('embed-real-array-', (db) => createTableOfTexts(db.client, 'sentences', texts));

    it.each(['copy', 'insert'])('writes real[] equal to the encoder output (--write-method %s)', async (method) => {
      const target = `embeddings_${method}`;
      const result = await runCli([
        'sentences',
        '50',
        '--workers',
        '2',
        '--write-method',
        method,
        '--model',
        modelDir,
        '--target',
        target,
        '--database-url',
        fixture.db.url,
        '--state',
        path.join(fixture.dir, `${method}.sqlite`),
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const type = await fixture.db.client.query<{ type: string }>(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'`,
        [target],
      );
      expect(type.rows[0]!.type).toBe('real[]');
      const stored = await fixture.db.client.query<{ id: string; embedding: number[] }>(`SELECT id::text AS id, embedding FROM ${target}`);
      expect(stored.rows.length).toBe(expected.size);
      for (const row of stored.rows) expect(maxAbsDifference(row.embedding, expected.get(row.id)!)).toBeLessThanOrEqual(1e-6);
    });
  });
});
