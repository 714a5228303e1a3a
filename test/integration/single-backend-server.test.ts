/**
 * A server where one backend serves every connection and COPY FROM STDIN breaks the connection: PGlite
 * over the wire protocol. What cannot work there is refused in one line before anything is created,
 * rather than met mid-run as lost connections (binary COPY) or interleaved statements (--distributed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { textFor } from '../helpers/fixtures.js';
import { startPgliteServer, type PgliteServer } from '../helpers/pglite-server.js';

describe('a single-backend server (PGlite)', () => {
  const modelDir = inject('tinyModelDir');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'embed-single-backend-'));
  let server: PgliteServer | undefined;
  const embed = (name: string, ...args: string[]) =>
    runCli([
      'sentences',
      '--workers',
      '1',
      ...args,
      '--model',
      modelDir,
      '--database-url',
      server!.url,
      '--state',
      path.join(dir, `${name}.sqlite`),
    ]);
  const relations = async () =>
    (
      await server!.pglite.query<{ name: string }>(
        `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      )
    ).rows.map((row) => row.name);

  beforeAll(async () => {
    server = await startPgliteServer({ sentences: Array.from({ length: 20 }, (_, i) => textFor(i + 1)) });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the default binary COPY, which its wire protocol lacks, naming --write-method insert', async () => {
    const result = await embed('copy');
    expect(result.stderr).toBe('embed: this server is PGlite, whose wire protocol has no COPY: pass --write-method insert\n');
    expect(result.code).toBe(1);
    expect(await relations()).toEqual(['public.sentences']);
  });

  it('refuses --distributed before its queue is set up', async () => {
    const result = await embed('distributed', '--write-method', 'insert', '--distributed');
    expect(result.stderr).toBe(
      'embed: --distributed needs a server with a backend per connection, and PGlite serves all from one: run without --distributed\n',
    );
    expect(result.code).toBe(1);
    expect(await relations()).toEqual(['public.sentences']);
  });

  it('embeds every row with --write-method insert', async () => {
    const result = await embed('insert', '--write-method', 'insert', '--quiet');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const stored = await server!.pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM sentences_embeddings');
    expect(stored.rows[0]!.n).toBe(20);
  });
});
