/**
 * The target is the ground truth and the state file an accelerator. With the state file deleted, set
 * to garbage, or distrusted on request (--rebuild-state), the next run says so in one line and rebuilds
 * progress from the target: it embeds only the rows the target lacks (or holds from another text),
 * never writes a duplicate, and a target dropped since the file was written is embedded again in full.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 3_000;

describe('rebuilding progress from the target', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-rebuild-', async (db) => {
    await createTextTable(db.client, 'sentences', rows);
    command = ['sentences', '100', '--workers', '2', '--model', modelDir, '--database-url', db.url, '--state', state, '--json'];
    expect((await embed()).summary.rowsEmbedded).toBe(embeddableRows(rows));
  });
  const state = path.join(fixture.dir, 'state.sqlite');
  let command: string[];

  const embed = async (...extra: string[]) => {
    const result = await runCli([...command, ...extra]);
    expect(result.code, result.stderr).toBe(0);
    return { summary: JSON.parse(result.stdout) as { rowsEmbedded: number }, stderr: result.stderr };
  };
  const removeState = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(state + suffix, { force: true });
  };

  it('a deleted state file: one warning, and only the rows written since the last complete pass are compared', async () => {
    // The target's comment keeps the last complete pass's snapshot: rows added or edited since are found
    // without comparing every row.
    const added = await fixture.db.client.query(
      `INSERT INTO sentences SELECT i, 'added after the pass ' || i FROM generate_series($1::int, $2::int) AS i`,
      [rows + 1, rows + 30],
    );
    const changed = await fixture.db.client.query(
      `UPDATE sentences SET text = text || ' (edited)' WHERE id % 30 = 7 AND text <> '' AND id <= $1`,
      [rows],
    );
    removeState();

    const { summary, stderr } = await embed();
    expect(stderr).toBe(
      `embed: warning: no progress for this job in state file ${state}; rebuilding it from "public"."sentences_embeddings" from the rows written since its last complete pass\n`,
    );
    expect(summary).toMatchObject({
      rowsEmbedded: added.rowCount! + changed.rowCount!,
      rowsNew: added.rowCount!,
      rowsChanged: changed.rowCount!,
    });
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows) + added.rowCount!);
    const stale = await fixture.db.client.query(
      `SELECT 1 FROM sentences s JOIN sentences_embeddings e USING (id) WHERE e.content_hash <> md5(s.text)`,
    );
    expect(stale.rowCount).toBe(0);
    // The rebuilt file is trusted again: nothing left to do, no warning.
    expect(await embed()).toEqual({ summary: expect.objectContaining({ rowsEmbedded: 0 }), stderr: '' });
    // Their embeddings go with them (ON DELETE CASCADE): the table is as the other tests expect it.
    await fixture.db.client.query(`DELETE FROM sentences WHERE id > $1`, [rows]);
  });

  it('a corrupt state file: moved aside with one warning, progress rebuilt, nothing re-embedded', async () => {
    removeState();
    writeFileSync(state, 'this is not a SQLite database, just garbage bytes\n'.repeat(100));
    const status = await runCli(['status', 'sentences', '--database-url', fixture.db.url, '--state', state]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(
      /^embed: state file .* is corrupt \(file is not a database\); run embed on the table once to set it aside/,
    );

    const { summary, stderr } = await embed();
    const aside = /moved it to (\S+) and rebuilding progress/.exec(stderr)?.[1];
    expect(stderr).toBe(
      `embed: warning: state file ${state} was corrupt; moved it to ${aside} and rebuilding progress from "public"."sentences_embeddings"\n`,
    );
    expect(readFileSync(aside!, 'utf8')).toMatch(/^this is not a SQLite database/);
    expect(summary.rowsEmbedded).toBe(0);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows));
  });

  it('--rebuild-state finds rows the state file wrongly counts as done', async () => {
    await fixture.db.client.query(`DELETE FROM sentences_embeddings WHERE id % 100 = 1`);
    const missing = embeddableRows(rows) - (await countRows(fixture.db.client, 'sentences_embeddings'));
    expect((await embed()).summary.rowsEmbedded).toBe(0);
    const { summary, stderr } = await embed('--rebuild-state');
    expect(stderr).toBe('');
    expect(summary.rowsEmbedded).toBe(missing);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows));
  });

  it('a --column target: the rows whose column is still NULL are the ones left', async () => {
    const columnState = path.join(fixture.dir, 'column.sqlite');
    const column = [
      'sentences',
      '--workers',
      '2',
      '--column',
      'embedding',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      columnState,
      '--json',
    ];
    const first = await runCli(column);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout).rowsEmbedded).toBe(embeddableRows(rows));
    await fixture.db.client.query(`UPDATE sentences SET embedding = NULL WHERE id % 100 = 3`);
    const cleared = Number(
      (await fixture.db.client.query(`SELECT count(*) AS n FROM sentences WHERE embedding IS NULL AND id % 100 = 3 AND text <> ''`)).rows[0]
        .n,
    );
    rmSync(columnState);
    const again = await runCli(column);
    expect(again.stderr).toMatch(
      /^embed: warning: no progress for this job in state file .*; rebuilding it from "public"."sentences"."embedding"/,
    );
    expect(JSON.parse(again.stdout).rowsEmbedded).toBe(cleared);
    await fixture.db.client.query(`ALTER TABLE sentences DROP COLUMN embedding`);
  });

  it('a target dropped since the state file was written is embedded again in full', async () => {
    await fixture.db.client.query(`DROP TABLE sentences_embeddings`);
    const { summary, stderr } = await embed();
    expect(stderr).toBe(
      `embed: warning: "public"."sentences_embeddings" was dropped or emptied since state file ${state} recorded progress; embedding from the first row\n`,
    );
    expect(summary.rowsEmbedded).toBe(embeddableRows(rows));
    expect(existsSync(state)).toBe(true);
  });
});
