/**
 * The vector index built once a pass completes, and halfvec targets, against a real pgvector (PGlite with
 * its pgvector extension, served over the wire protocol: --write-method insert, one worker) and against
 * real[] on PostgreSQL. PGlite runs every statement of its one backend to the end, so no build can be
 * cancelled or killed half way there: the invalid index a stopped build leaves is made by a concurrent
 * build that really fails (a unique index over duplicate vectors), under our index's name.
 * Longer than 250 lines because the PGlite server's set-up is shared by six cases of one feature.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTableOfTexts, textFor } from '../helpers/fixtures.js';
import { startPgliteServer, type PgliteServer } from '../helpers/pglite-server.js';
import { startWatcher } from '../helpers/watcher.js';

// No NULL or empty text: every row gets a vector.
const texts = Array.from({ length: 60 }, (_, i) => textFor(i + 1) ?? `a row of its own, number ${i + 1}`);
const ourIndex = 'embed_ann_sentences_embeddings_embedding';

interface IndexRow {
  name: string;
  valid: boolean;
  definition: string;
}

describe('the vector index and halfvec, on pgvector (PGlite)', () => {
  const modelDir = inject('tinyModelDir');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'embed-vector-index-'));
  let server: PgliteServer | undefined;
  let pglite: PGlite;
  let url: string;
  let port: number;
  // One state file per test, as each test has a server of its own.
  const state = () => path.join(dir, `${port}.sqlite`);
  const cli = (...args: string[]) => runCli([...args, '--model', modelDir, '--database-url', url, '--state', state()]);
  const embed = (...args: string[]) => cli('sentences', '--workers', '1', '--write-method', 'insert', ...args);
  const indexes = async (table = 'sentences_embeddings') =>
    (
      await pglite.query<IndexRow>(
        `SELECT c.relname AS name, i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = $1::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%(embedding%' ORDER BY 1`,
        [table],
      )
    ).rows;

  beforeEach(async () => {
    server = await startPgliteServer({ pgvector: true, sentences: texts, maxConnections: 8 });
    ({ pglite, url, port } = server);
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds hnsw with the cosine operator class once the pass completes; search and status use it', async () => {
    const run = await embed();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`index ${ourIndex} \\(hnsw\\) built in \\d+\\.\\ds`));
    expect(await indexes()).toEqual([
      {
        name: ourIndex,
        valid: true,
        definition: `CREATE INDEX ${ourIndex} ON public.sentences_embeddings USING hnsw (embedding vector_cosine_ops) WITH (m='24', ef_construction='128')`,
      },
    ]);
    // The planner takes the index for the search's ORDER BY <=> LIMIT once a scan of the table is ruled out.
    await pglite.exec('SET enable_seqscan = off');
    const plan = await pglite.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM sentences_embeddings ORDER BY embedding <=> (SELECT embedding FROM sentences_embeddings WHERE id = 3) LIMIT 2`,
    );
    await pglite.exec('RESET enable_seqscan');
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(`Index Scan using ${ourIndex}`);
    const found = await cli('search', 'sentences', texts[7]!, '-k', '1');
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(/^8\t1\.0000\t/);
    const status = await cli('status', 'sentences');
    expect(status.stdout).toContain(`index       ${ourIndex} (hnsw), valid`);
    const json = JSON.parse((await cli('status', 'sentences', '--json')).stdout);
    expect(json.index).toMatchObject({ name: ourIndex, method: 'hnsw', ours: true, state: 'valid', columnType: 'vector(32)' });
    // A run with nothing to embed leaves the index as it is.
    const again = await embed();
    expect(again.stdout).toContain(`index ${ourIndex} (hnsw) present`);
  });

  it('search takes k rows through the index past hnsw.ef_search (40 unless set)', async () => {
    // Texts that differ in their first words: HNSW keeps one element for rows of one vector, so the
    // rows past ef_search must have vectors of their own.
    const words = ['alpha', 'river', 'stone', 'green', 'quick', 'seven', 'table', 'light', 'north', 'paper'];
    const distinct = Array.from(
      { length: 80 },
      (_, i) => `${words[i % 10]} ${words[Math.floor(i / 10)]} ${words[(i * 7) % 10]} number ${i}`,
    );
    await pglite.query('INSERT INTO sentences SELECT 100 + i, t FROM unnest($1::int[], $2::text[]) AS u(i, t)', [
      distinct.map((_, i) => i),
      distinct,
    ]);
    expect((await embed()).code).toBe(0);
    // PGlite's one session is the CLI's too: with scans of the table off, the search takes the index.
    await pglite.exec('SET enable_seqscan = off');
    const found = await cli('search', 'sentences', distinct[5]!, '-k', '100', '--json');
    await pglite.exec('RESET enable_seqscan');
    expect(found.code, found.stderr).toBe(0);
    const hits = (JSON.parse(found.stdout) as { hits: { id: string; similarity: number }[] }).hits;
    expect(hits).toHaveLength(100);
    expect(hits[0]).toMatchObject({ id: '105', similarity: expect.closeTo(1, 4) });
    expect(new Set(hits.map((hit) => hit.id)).size).toBe(100);
    const similarities = hits.map((hit) => hit.similarity);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
  });

  it("indexes a chunk table; search takes each row's best chunk through the index, as the exact search finds it", async () => {
    const chunkIndex = 'embed_ann_sentences_chunks_embedding';
    const run = await embed('--chunk', '24');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`index ${chunkIndex} (hnsw) built`);
    expect(await indexes('sentences_chunks')).toEqual([
      {
        name: chunkIndex,
        valid: true,
        definition: `CREATE INDEX ${chunkIndex} ON public.sentences_chunks USING hnsw (embedding vector_cosine_ops) WITH (m='24', ef_construction='128')`,
      },
    ]);
    const chunks = Number((await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM sentences_chunks')).rows[0]!.n);
    expect(chunks).toBeGreaterThan(texts.length);
    const indexScans = async () => {
      await pglite.query('SELECT pg_stat_force_next_flush()');
      await pglite.query('SELECT pg_stat_clear_snapshot()');
      const scans = await pglite.query<{ n: number }>(
        `SELECT idx_scan::int AS n FROM pg_stat_user_indexes WHERE indexrelname = '${chunkIndex}'`,
      );
      return scans.rows[0]!.n;
    };
    // A row's second chunk, searched for by its own text: that row first, by that chunk.
    const second = (
      await pglite.query<{ id: string; chunk: string }>(
        'SELECT id::text AS id, chunk FROM sentences_chunks WHERE seq = 1 ORDER BY id LIMIT 1',
      )
    ).rows[0]!;
    const search = async () => {
      const found = await cli('search', 'sentences', second.chunk, '-k', '5', '--chunk', '24', '--json');
      expect(found.code, found.stderr).toBe(0);
      return (JSON.parse(found.stdout) as { hits: { id: string; similarity: number; chunk: { seq: number } }[] }).hits;
    };
    // PGlite's one session is the CLI's too: with scans of the table off, the search takes the index.
    await pglite.exec('SET enable_seqscan = off');
    const before = await indexScans();
    const throughIndex = await search();
    expect(await indexScans()).toBeGreaterThan(before);
    await pglite.exec('RESET enable_seqscan; SET enable_indexscan = off');
    const exact = await search();
    await pglite.exec('RESET enable_indexscan');
    expect(throughIndex).toHaveLength(5);
    expect(new Set(throughIndex.map((hit) => hit.id)).size).toBe(5);
    expect(throughIndex[0]).toMatchObject({ id: second.id, similarity: expect.closeTo(1, 4), chunk: { seq: 1 } });
    expect(throughIndex.map((hit) => hit.id)).toEqual(exact.map((hit) => hit.id));
  });

  it('halfvec stores half the bytes, gets halfvec_cosine_ops and is searched; the other type is refused', async () => {
    const vectorRun = await embed('--target', 'full_vectors', '--index', 'none');
    expect(vectorRun.code, vectorRun.stderr).toBe(0);
    const run = await embed('--vector-type', 'halfvec');
    expect(run.code, run.stderr).toBe(0);
    const [stored] = (
      await pglite.query<{ type: string; half: number; full: number }>(
        `SELECT format_type(atttypid, atttypmod) AS type,
                (SELECT avg(pg_column_size(embedding))::float8 FROM sentences_embeddings) AS half,
                (SELECT avg(pg_column_size(embedding))::float8 FROM full_vectors) AS full
           FROM pg_attribute WHERE attrelid = 'sentences_embeddings'::regclass AND attname = 'embedding'`,
      )
    ).rows;
    expect(stored!.type).toBe('halfvec(32)');
    // The values take 2 bytes each instead of 4; the few bytes of header stay.
    expect(stored!.half).toBeLessThanOrEqual(stored!.full / 2 + 8);
    expect(stored!.half).toBeGreaterThan(stored!.full / 2 - 8);
    expect((await indexes()).map((index) => index.definition)).toEqual([
      `CREATE INDEX ${ourIndex} ON public.sentences_embeddings USING hnsw (embedding halfvec_cosine_ops) WITH (m='24', ef_construction='128')`,
    ]);
    expect(await indexes('full_vectors')).toEqual([]);
    const found = JSON.parse(
      (await cli('search', 'sentences', texts[40]!, '-k', '3', '--json', '--target', 'sentences_embeddings')).stdout,
    );
    expect(found.format).toBe('halfvec');
    // At half precision the tiny model's nearest rows tie with the row itself.
    expect(found.hits[0].similarity).toBeCloseTo(1, 3);
    expect(found.hits.map((hit: { id: string }) => hit.id)).toContain('41');
    const other = await embed();
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /^embed: target "public"\."sentences_embeddings" holds halfvec and --vector-type asks for vector: pass --vector-type halfvec to go on with it, or --target NEW_TABLE\n/,
    );
  });

  it('ivfflat takes its lists from the rows', async () => {
    const run = await embed('--index', 'ivfflat', '--maintenance-work-mem', '32MB');
    expect(run.code, run.stderr).toBe(0);
    const [index] = await indexes();
    expect(index).toMatchObject({ name: ourIndex, valid: true });
    expect(index!.definition).toContain("USING ivfflat (embedding vector_cosine_ops) WITH (lists='1')");
  });

  it('drops an invalid index a failed build left under its name, and builds it again', async () => {
    const first = await embed('--index', 'none');
    expect(first.code, first.stderr).toBe(0);
    expect(await indexes()).toEqual([]);
    // Two rows with the same text have the same vector: a concurrent unique build fails in its last phase
    // and leaves its index behind, invalid, as a cancelled or killed build does.
    await pglite.query('UPDATE sentences SET text = $1 WHERE id = 2', [texts[0]]);
    const refresh = await embed('--index', 'none', '--refresh');
    expect(refresh.code, refresh.stderr).toBe(0);
    await expect(pglite.exec(`CREATE UNIQUE INDEX CONCURRENTLY ${ourIndex} ON sentences_embeddings (embedding)`)).rejects.toThrow(
      /could not create unique index/,
    );
    expect(await indexes()).toMatchObject([{ name: ourIndex, valid: false }]);
    expect((await cli('status', 'sentences')).stdout).toContain(
      `index       ${ourIndex} (btree), invalid (a build that stopped half way; the next run drops it and builds it again)`,
    );
    const next = await embed();
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain(`index ${ourIndex} (hnsw) dropped (invalid) and built again`);
    expect(await indexes()).toEqual([
      {
        name: ourIndex,
        valid: true,
        definition: `CREATE INDEX ${ourIndex} ON public.sentences_embeddings USING hnsw (embedding vector_cosine_ops) WITH (m='24', ef_construction='128')`,
      },
    ]);
  });

  it("leaves the user's own index on the column alone", async () => {
    const first = await embed('--index', 'none');
    expect(first.code, first.stderr).toBe(0);
    await pglite.exec('CREATE INDEX my_own ON sentences_embeddings USING hnsw (embedding vector_l2_ops)');
    const run = await embed();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("index my_own (hnsw) is the user's own on the column: embed builds none");
    expect((await indexes()).map((index) => index.name)).toEqual(['my_own']);
    expect((await cli('status', 'sentences')).stdout).toContain("index       my_own (hnsw) (the user's own: embed builds none), valid");
  });

  it('a watcher builds the index once caught up, while a writer inserts, and embeds what the writer added', async () => {
    const watcher = startWatcher([
      'sentences',
      '--workers',
      '1',
      '--write-method',
      'insert',
      '--model',
      modelDir,
      '--database-url',
      url,
      '--state',
      state(),
    ]);
    // Through the server, as another session: PGlite's own query() could land inside the watcher's transaction.
    const writerClient = new pg.Client({ connectionString: url });
    await writerClient.connect();
    let written = texts.length;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        written += 1;
        await writerClient.query('INSERT INTO sentences VALUES ($1, $2)', [written, `a row written while the index is built ${written}`]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await watcher.waitFor('caught-up');
      const built = await watcher.waitFor('index', 60_000);
      expect(built.message).toMatch(new RegExp(`^index ${ourIndex} \\(hnsw\\) built in`));
      expect(built.kind).toBe('built');
      // The writer goes on after the build; the watcher embeds rows it finds while it watches.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      writing = false;
      await writer;
      await writerClient.end();
      const stopped = await watcher.stop();
      expect(stopped.code, stopped.stderr).toBe(0);
      const watched = (await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM sentences_embeddings')).rows[0]!.n;
      expect(watched).toBeGreaterThan(texts.length);
    } finally {
      writing = false;
      await writer;
      await writerClient.end().catch(() => undefined);
      if (watcher.child.exitCode === null) await watcher.stop();
    }
    // No row the writer added is lost: the next run finds whatever the watcher had not yet seen. PGlite's
    // one backend is also the run's own session; the run has it share the writer's last counts before it
    // reads the table counters (src/source/table-counters.ts).
    const run = await embed();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`index ${ourIndex} (hnsw) present`);
    const embedded = (await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM sentences_embeddings')).rows[0]!.n;
    expect(embedded).toBe(written);
    expect(await indexes()).toMatchObject([{ name: ourIndex, valid: true }]);
  });
});

describe('the vector index on real[] (PostgreSQL without pgvector)', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-vector-index-pg-', (db) => createTableOfTexts(db.client, 'sentences', texts));
  const cli = (...args: string[]) =>
    runCli([
      'sentences',
      ...args,
      '--workers',
      '1',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'state.sqlite'),
    ]);

  it('builds none by default, says so in status, and refuses an index or halfvec it cannot have', async () => {
    const hnsw = await cli('--index', 'hnsw');
    expect(hnsw.code).toBe(2);
    expect(hnsw.stderr).toMatch(
      /^embed: --index hnsw needs a pgvector column, and "public"\."sentences_embeddings" is real\[\]: CREATE EXTENSION vector before embedding into a new target, or pass --index none\n/,
    );
    const halfvec = await cli('--vector-type', 'halfvec');
    expect(halfvec.code).toBe(2);
    expect(halfvec.stderr).toMatch(/^embed: --vector-type halfvec needs pgvector 0\.7 or later in this database: CREATE EXTENSION vector/);
    const run = await cli();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('index ');
    const status = await runCli([
      'status',
      'sentences',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'state.sqlite'),
    ]);
    expect(status.stdout).toContain(
      'index       none: real[] takes no vector index (CREATE EXTENSION vector before embedding into a new target)',
    );
  });

  it.each([
    [['--index', 'btree'], /^embed: --index must be one of hnsw, ivfflat, none, got "btree"\n/],
    [['--vector-type', 'float16'], /^embed: --vector-type must be one of vector, halfvec, got "float16"\n/],
    [
      ['--maintenance-work-mem', 'lots'],
      /^embed: --maintenance-work-mem must be a size such as 512MB or 2GB \(units kB, MB, GB, TB\), got "lots"\n/,
    ],
    [
      ['--index', 'none', '--maintenance-work-mem', '1GB'],
      /^embed: --maintenance-work-mem sizes the index build, and --index none builds none: drop one of them\n/,
    ],
  ])('refuses %j in one line', async (args, message) => {
    const refused = await cli(...args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
  });
});
