/**
 * Every committed change reaches the target with the plain command: rows committed late below ids
 * already embedded, random (uuid) ids, edited texts, rows deleted and inserted again. An update that
 * leaves the text alone embeds nothing. The summary says what was new, late or changed, and `embed
 * status` counts the rows waiting from the same conditions.
 */
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { sleep } from '../helpers/progress.js';
import { useTestDatabase } from '../helpers/database.js';
import { directEmbeddings, maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';

interface Summary {
  outcome: string;
  rowsEmbedded: number;
  rowsNew: number;
  rowsLate: number;
  rowsChanged: number;
}

describe('plain runs catch every committed change', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-capture-');
  const { dir } = fixture;

  const command = (table: string) => [
    table,
    '100',
    '--workers',
    '2',
    '--model',
    modelDir,
    '--database-url',
    fixture.db.url,
    '--state',
    path.join(dir, `${table}.sqlite`),
  ];
  const embed = async (table: string): Promise<Summary> => {
    const result = await runCli([...command(table), '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as Summary;
  };
  const waiting = async (table: string) => {
    const result = await runCli([
      'status',
      table,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(dir, `${table}.sqlite`),
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { waiting: { new: number; late: number; changed: number } }).waiting;
  };
  const createTable = async (table: string, id = 'bigserial', rows = 2_000) => {
    await fixture.db.client.query(`CREATE TABLE ${table} (id ${id} PRIMARY KEY, text text, tag int NOT NULL DEFAULT 0)`);
    await fixture.db.client.query(
      `INSERT INTO ${table} (text) SELECT 'first text of row ' || i || ', about ' || md5(i::text) FROM generate_series(1, $1::int) AS i`,
      [rows],
    );
  };
  const expectFresh = (table: string) =>
    expectSameAsFreshRun(fixture.db.client, { table, target: `${table}_embeddings`, modelDir, databaseUrl: fixture.db.url, dir });

  it('a row committed after a complete run by a transaction open before it', async () => {
    await createTable('late_commits', 'bigserial', 0);
    // The target exists before the writer's transaction holds its lock on the table (creating it later
    // would wait for that transaction).
    expect(await embed('late_commits')).toMatchObject({ rowsEmbedded: 0 });
    const writer = new pg.Client({ connectionString: fixture.db.url });
    await writer.connect();
    try {
      // Its id comes from the sequence now, below every id inserted while it stays open.
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO late_commits (text) VALUES ('the row committed late')`);
      await fixture.db.client.query(
        `INSERT INTO late_commits (text) SELECT 'a row committed at once ' || i FROM generate_series(1, 3000) AS i`,
      );
      expect(await embed('late_commits')).toMatchObject({ outcome: 'completed', rowsEmbedded: 3000 });
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    expect(await waiting('late_commits')).toEqual({ new: 0, late: 1, changed: 0 });
    expect(await embed('late_commits')).toMatchObject({ rowsEmbedded: 1, rowsLate: 1, rowsNew: 0, rowsChanged: 0 });
    expect(await embed('late_commits')).toMatchObject({ rowsEmbedded: 0 });
    await expectFresh('late_commits');
  });

  it('rows with random ids added after a complete run, anywhere in id order', async () => {
    await createTable('random_ids', 'uuid DEFAULT gen_random_uuid()');
    expect(await embed('random_ids')).toMatchObject({ rowsEmbedded: 2000 });
    await fixture.db.client.query(`INSERT INTO random_ids (text) SELECT 'added later ' || i FROM generate_series(1, 500) AS i`);
    expect(await waiting('random_ids')).toEqual({ new: 500, late: 0, changed: 0 });
    expect(await embed('random_ids')).toMatchObject({ rowsEmbedded: 500, rowsNew: 500 });
    expect(await embed('random_ids')).toMatchObject({ rowsEmbedded: 0 });
    await expectFresh('random_ids');
  });

  it('edited texts get the vector of their new text', async () => {
    await createTable('edited');
    expect(await embed('edited')).toMatchObject({ rowsEmbedded: 2000 });
    const edited = await fixture.db.client.query<{ id: string; text: string }>(
      `UPDATE edited SET text = 'rewritten: ' || text WHERE id % 37 = 5 RETURNING id::text, text`,
    );
    expect(await waiting('edited')).toEqual({ new: 0, late: 0, changed: edited.rowCount });
    expect(await embed('edited')).toMatchObject({ rowsEmbedded: edited.rowCount, rowsChanged: edited.rowCount });

    const stored = await storedEmbeddings(fixture.db.client, 'edited_embeddings');
    const expected = await directEmbeddings(
      modelDir,
      edited.rows.map((r) => r.text),
    );
    edited.rows.forEach((row, i) => {
      expect(maxAbsDifference(stored.get(row.id)!, expected[i]!)).toBeLessThanOrEqual(1e-6);
    });
    await expectFresh('edited');
  });

  it('an update that leaves the text alone embeds nothing', async () => {
    await createTable('other_columns');
    expect(await embed('other_columns')).toMatchObject({ rowsEmbedded: 2000 });
    const before = await fixture.db.client.query(`SELECT id, embedded_at FROM other_columns_embeddings ORDER BY id`);
    await fixture.db.client.query(`UPDATE other_columns SET tag = tag + 1`);
    await fixture.db.client.query(`UPDATE other_columns SET text = text WHERE id % 3 = 0`);
    expect(await waiting('other_columns')).toEqual({ new: 0, late: 0, changed: 0 });
    expect(await embed('other_columns')).toMatchObject({ rowsEmbedded: 0 });
    expect((await fixture.db.client.query(`SELECT id, embedded_at FROM other_columns_embeddings ORDER BY id`)).rows).toEqual(before.rows);
  });

  it('a row deleted and inserted again with the same id and a new text', async () => {
    await createTable('reinserted');
    expect(await embed('reinserted')).toMatchObject({ rowsEmbedded: 2000 });
    await fixture.db.client.query(`DELETE FROM reinserted WHERE id IN (10, 1500)`);
    await fixture.db.client.query(
      `INSERT INTO reinserted (id, text) VALUES (10, 'back with another text'), (1500, 'back again, changed too')`,
    );
    expect(await embed('reinserted')).toMatchObject({ rowsEmbedded: 2, rowsNew: 2 });
    const stored = await storedEmbeddings(fixture.db.client, 'reinserted_embeddings');
    const expected = await directEmbeddings(modelDir, ['back with another text']);
    expect(maxAbsDifference(stored.get('10')!, expected[0]!)).toBeLessThanOrEqual(1e-6);
    await expectFresh('reinserted');
  });

  it('a --column target: rows without a vector are found, edited texts are not (no content hash)', async () => {
    await createTable('in_column');
    const column = [...command('in_column'), '--column', 'embedding', '--json'];
    const first = await runCli(column);
    expect(first.code, first.stderr).toBe(0);
    await fixture.db.client.query(`INSERT INTO in_column (text) SELECT 'added later ' || i FROM generate_series(1, 25) AS i`);
    await fixture.db.client.query(`UPDATE in_column SET text = 'edited: ' || text WHERE id <= 10`);
    const second = await runCli(column);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ rowsEmbedded: 25, rowsNew: 25 });
    const missing = await fixture.db.client.query(`SELECT 1 FROM in_column WHERE embedding IS NULL`);
    expect(missing.rowCount).toBe(0);
  });

  it('nothing written since the last run: the counters prove it once every session is idle, and no row is read', async () => {
    // Written by a session that ends: a backend hands its counts over as it exits, so the first run's
    // record already counts them.
    const writer = new pg.Client({ connectionString: fixture.db.url });
    await writer.connect();
    await writer.query(`CREATE TABLE quiet (id bigserial PRIMARY KEY, text text)`);
    await writer.query(`INSERT INTO quiet (text) SELECT 'quiet row ' || i FROM generate_series(1, 2000) AS i`);
    // Analysed, so that the progress bar's estimate does not count the rows.
    await writer.query(`ANALYZE quiet`);
    await writer.end();
    await sleep(500);
    expect(await embed('quiet')).toMatchObject({ rowsEmbedded: 2000 });
    /** Heap rows the source's scans fetched, once every backend that touched it has reported. */
    const fetched = async () => {
      await sleep(1_200);
      await fixture.db.client.query('SELECT pg_stat_clear_snapshot()');
      const result = await fixture.db.client.query<{ n: string }>(
        `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE relname = 'quiet'`,
      );
      return Number(result.rows[0]!.n);
    };

    // This test's own session was just busy: its counts may not be shared yet, so the run looks.
    const before = await fetched();
    expect(await embed('quiet')).toMatchObject({ rowsEmbedded: 0 });
    const looked = (await fetched()) - before;
    expect(looked).toBeGreaterThanOrEqual(2000);

    // Every other session of the database idle past PostgreSQL's ten-second flush: the run reads no row.
    const settled = await fetched();
    await sleep(16_000);
    expect(await embed('quiet')).toMatchObject({ rowsEmbedded: 0 });
    expect((await fetched()) - settled).toBeLessThan(10);
  });

  it('a text emptied since loses its vector', async () => {
    await createTable('emptied');
    expect(await embed('emptied')).toMatchObject({ rowsEmbedded: 2000 });
    await fixture.db.client.query(`UPDATE emptied SET text = CASE WHEN id = 7 THEN '   ' ELSE NULL END WHERE id IN (7, 8)`);
    expect(await embed('emptied')).toMatchObject({ rowsEmbedded: 0 });
    expect((await fixture.db.client.query(`SELECT id FROM emptied_embeddings WHERE id IN (7, 8)`)).rows).toEqual([]);
  });
});
