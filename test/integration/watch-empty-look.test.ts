/**
 * A watcher's look that finds rows written but nothing to embed (updates of another column) completes
 * its pass from the count alone, without walking the table: the pass's snapshot moves on, nothing is
 * embedded, and a row of a transaction that was open through those looks is still embedded once it
 * commits (its id is above the xmin of every snapshot taken while it ran). Below the CLI, the plan of
 * such a look says so, and a plain run's plan is what it was.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { planResume } from '../../dist/src/pass/resume-plan.js';
import { describeSource } from '../../dist/src/source/source-table.js';
import { StateStore } from '../../dist/src/state/state-store.js';
import { describeTarget, modelLabel } from '../../dist/src/target/target-table.js';
import { useTestDatabase } from '../helpers/database.js';
import { textFor } from '../helpers/fixtures.js';
import { rowsOutOfStep } from '../helpers/target-check.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';

const rows = 200;

describe('a look with nothing to embed', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-watch-empty-look-', async (db) => {
    await db.client.query(`CREATE TABLE tagged (id bigserial PRIMARY KEY, text text, tag int NOT NULL DEFAULT 0)`);
    await db.client.query(`INSERT INTO tagged (text) SELECT unnest($1::text[])`, [Array.from({ length: rows }, (_, i) => textFor(i + 1))]);
  });
  const state = () => path.join(fixture.dir, 'state.sqlite');
  /** The `next` transaction id of the snapshot of the job's last complete pass, from the state file. */
  const passNext = (): bigint => {
    const file = new Database(state(), { readonly: true });
    try {
      const row = file.prepare('SELECT snapshot FROM jobs').get() as { snapshot: string | null };
      return BigInt((JSON.parse(row.snapshot!) as { next: string }).next);
    } finally {
      file.close();
    }
  };
  const targetRows = async () =>
    Number((await fixture.db.client.query<{ n: string }>('SELECT count(*) AS n FROM tagged_embeddings')).rows[0]!.n);

  it('moves the snapshot on, embeds nothing, and loses no row of a transaction open meanwhile', async () => {
    const client = fixture.db.client;
    const watcher = startWatcher(['tagged', '--model', modelDir, '--workers', '1', '--database-url', fixture.db.url, '--state', state()]);
    await watcher.waitFor('caught-up', 120_000);
    // Every row but the blank ones (textFor leaves a few NULL or empty).
    const embedded = await targetRows();
    expect(embedded).toBeGreaterThan(rows * 0.9);
    expect(await rowsOutOfStep(client, 'tagged')).toBe(0);

    const writer = new pg.Client({ connectionString: fixture.db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO tagged (text) VALUES ('committed after the empty looks')`);
      const before = passNext();
      await client.query('UPDATE tagged SET tag = 1 WHERE id <= 50');
      await waitUntil('a look after the update completed a pass', async () => passNext() > before);
      await client.query('UPDATE tagged SET tag = 2 WHERE id <= 50');
      const between = passNext();
      await waitUntil('a second look completed a pass', async () => passNext() > between);
      expect(await targetRows()).toBe(embedded);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    await waitUntil(
      'the late row is embedded',
      async () => (await rowsOutOfStep(client, 'tagged')) === 0 && (await targetRows()) === embedded + 1,
    );

    const stopped = await watcher.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
  });

  it("plans such a look's pass as complete without a walk, one after an edit with its backlog, and a plain run's as before", async () => {
    // The job the first test's watcher left, its last pass complete.
    const client = fixture.db.client;
    // The planning session is the run's own, which never writes the source (table-counters.ts counts on it).
    const planner = new pg.Client({ connectionString: fixture.db.url });
    await planner.connect();
    const store = StateStore.open(state(), { ifCorrupt: 'refuse' });
    try {
      const job = store.jobs()[0]!;
      const model = { name: job.identity.model, fileHash: job.identity.modelHash };
      const source = await describeSource(planner, { name: 'tagged' }, 'id', 'text');
      const target = describeTarget(source, model, {});
      const plan = (countWaiting: boolean) =>
        planResume(
          planner,
          job,
          source,
          target,
          modelLabel(model),
          { file: state(), movedAside: undefined },
          {
            refresh: false,
            rebuildState: false,
            restart: false,
            catchUp: true,
            countWaiting,
          },
        );
      /** What a pass that reads nothing does once it has run (pass/embed-pass.ts). */
      const complete = () => job.completePass(job.progress().watermark);

      await client.query('UPDATE tagged SET tag = 3 WHERE id <= 10');
      const quiet = await plan(true);
      expect(quiet).toMatchObject({ nothingToRead: true, waiting: { new: 0, late: 0, changed: 0 } });
      expect(job.progress().passOpen).toBe(true);
      complete();

      await client.query(`UPDATE tagged SET text = 'edited since' WHERE id = 3`);
      await client.query(`UPDATE tagged SET text = '   ' WHERE id = 4`);
      const edited = await plan(true);
      expect(edited).toMatchObject({ nothingToRead: false, waiting: { new: 0, late: 0, changed: 1 } });
      // The emptied text lost its vector in the same statement.
      expect((await client.query('SELECT 1 FROM tagged_embeddings WHERE id = 4')).rowCount).toBe(0);
      complete();

      // A plain run counts nothing and walks the table as it always did.
      await client.query('UPDATE tagged SET tag = 4 WHERE id <= 10');
      const plain = await plan(false);
      expect(plain.nothingToRead).toBe(false);
      expect(plain.waiting).toBeUndefined();
    } finally {
      store.close();
      await planner.end();
    }
  });
});
