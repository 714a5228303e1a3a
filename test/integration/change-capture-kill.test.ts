/**
 * A run catching up on changes (edited texts, new rows, late and re-tagged rows) is killed with
 * SIGKILL partway, then the same command is run: the target ends as a fresh full run of the final
 * table would make it, and the resumed run finishes the same catch-up pass rather than starting over.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { sleep } from '../helpers/progress.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';

// Enough that the catch-up pass runs as several rounds of tasks: a pass the pool holds whole commits
// its tasks at about the same moment, leaving no partway to kill it at.
const rows = 20_000;

describe('kill -9 during a catch-up run, then the same command', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-capture-kill-');
  const { dir } = fixture;

  it('ends like a fresh full run', async () => {
    await fixture.db.client.query(`CREATE TABLE notes (id bigserial PRIMARY KEY, text text, tag int NOT NULL DEFAULT 0)`);
    await fixture.db.client.query(
      `INSERT INTO notes (text) SELECT 'first text of note ' || i || ' ' || md5(i::text) FROM generate_series(1, $1::int) AS i`,
      [rows],
    );
    const command = [
      'notes',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(dir, 'notes.sqlite'),
    ];
    const first = await runCli([...command, '--json']);
    expect(first.code, first.stderr).toBe(0);

    const edited = await fixture.db.client.query(`UPDATE notes SET text = 'edited: ' || text WHERE id % 2 = 0`);
    await fixture.db.client.query(`UPDATE notes SET tag = 1 WHERE id % 3 = 0`);
    await fixture.db.client.query(`INSERT INTO notes (text) SELECT 'added note ' || i FROM generate_series(1, 1000) AS i`);
    await fixture.db.client.query(`DELETE FROM notes WHERE id % 101 = 0`);
    const done = () =>
      fixture.db.client
        .query<{ n: string }>(
          `SELECT count(*) AS n FROM notes s JOIN notes_embeddings e USING (id) WHERE e.content_hash = md5(s.text) AND s.text LIKE 'edited: %'`,
        )
        .then((r) => Number(r.rows[0]!.n));

    const comment = async () =>
      (await fixture.db.client.query<{ c: string }>(`SELECT obj_description('notes_embeddings'::regclass) AS c`)).rows[0]!.c;
    const recorded = await comment();
    const { child, done: exited } = startCli([...command, '--quiet']);
    while ((await done()) < 300) await sleep(20);
    child.kill('SIGKILL');
    const killed = await exited;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = await done();
    const editedLeft = await fixture.db.client.query<{ n: string }>(`SELECT count(*) AS n FROM notes WHERE text LIKE 'edited: %'`);
    expect(atKill, 'killed partway through the catch-up').toBeLessThan(Number(editedLeft.rows[0]!.n));
    // The interrupted pass's snapshot is not trusted: the target still records the last complete one.
    expect(await comment()).toBe(recorded);

    const resumed = await runCli([...command, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { rowsEmbedded: number; rowsChanged: number; rowsNew: number };
    expect(await comment()).not.toBe(recorded);
    // The same pass, resumed: the rows done before the kill are not read again (at most the tasks in flight are redone).
    expect(summary.rowsChanged).toBeLessThanOrEqual(edited.rowCount! - atKill + 100 * 8 * 2 * 2);
    expect(summary.rowsChanged + summary.rowsNew).toBeGreaterThan(0);
    await expectSameAsFreshRun(fixture.db.client, {
      table: 'notes',
      target: 'notes_embeddings',
      modelDir,
      databaseUrl: fixture.db.url,
      dir,
    });
    const again = await runCli([...command, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsEmbedded: 0 });
  });
});
