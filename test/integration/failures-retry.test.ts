/**
 * Rows that fail (here: a trigger on the target rejects some ids) are recorded with their error and
 * attempts; `embed failures` lists them, and `embed <table> --retry-failed` embeds exactly those rows,
 * clears the ones that succeed (and the ones deleted from the source since), and counts another attempt
 * for the ones that fail again.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { credentialsOnly, runCli, serverOf } from '../helpers/cli.js';
import { textFor } from '../helpers/fixtures.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 2_000;
const cursed = Array.from({ length: rows }, (_, i) => i + 1).filter((id) => id % 397 === 0 && (textFor(id) ?? '').trim() !== '');

describe('failed rows', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-failures-');
  const { dir } = fixture;
  const state = path.join(dir, 'state.sqlite');

  it('are listed, retried with --retry-failed, and cleared once embedded', async () => {
    const command = [
      'sentences',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
      '--json',
    ];
    const failures = async () =>
      JSON.parse((await runCli(['failures', 'sentences', '--database-url', fixture.db.url, '--state', state, '--json'])).stdout);
    const prepare = await runCli([...command, '--limit', '1']);
    expect(prepare.code, prepare.stderr).toBe(0);
    await fixture.db.client.query(`
      CREATE FUNCTION reject_cursed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id % 397 = 0 THEN RAISE EXCEPTION 'row % is cursed', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_cursed BEFORE INSERT ON sentences_embeddings FOR EACH ROW EXECUTE FUNCTION reject_cursed();`);

    const first = await runCli(command);
    expect(first.code).toBe(3);
    expect(JSON.parse(first.stdout)).toMatchObject({ rowsFailed: cursed.length });
    const listed = await failures();
    expect(listed.map((f: { id: string }) => Number(f.id)).sort((a: number, b: number) => a - b)).toEqual(cursed);
    for (const failure of listed) {
      expect(failure).toMatchObject({ attempts: 1, error: `row ${failure.id} is cursed (SQLSTATE P0001)` });
    }
    const text = await runCli(['failures', 'sentences', '--database-url', fixture.db.url, '--state', state]);
    expect(text.stdout.split('\n')[0]).toMatch(/^id\s+attempts\s+last tried \(UTC\)\s+error$/);
    expect(text.stdout).toContain(`${cursed.length} failed rows; the same embed command with --retry-failed retries them\n`);
    const server = serverOf(fixture.db.url);
    expect(text.stdout.endsWith(`\ndatabase    ${server}, --database-url\n`), text.stdout).toBe(true);
    // With no database named, the one recorded for the job is read, and said (server and database only).
    const recorded = await runCli(['failures', 'sentences', '--state', state], credentialsOnly(fixture.db.url));
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stdout.split('\n').filter((line) => /^\d+ +1 +\d{4}-/.test(line))).toHaveLength(cursed.length);
    expect(
      recorded.stdout.endsWith(`\ndatabase    ${server}, recorded for the job (no --database-url, DATABASE_URL or PG* variable given)\n`),
    ).toBe(true);

    const stillCursed = await runCli([...command, '--retry-failed']);
    expect(stillCursed.code).toBe(3);
    expect(JSON.parse(stillCursed.stdout)).toMatchObject({ rowsEmbedded: 0, rowsFailed: cursed.length });
    expect((await failures()).map((f: { attempts: number }) => f.attempts)).toEqual(cursed.map(() => 2));

    await fixture.db.client.query(`DROP TRIGGER reject_cursed ON sentences_embeddings`);
    await fixture.db.client.query(`DELETE FROM sentences WHERE id = $1`, [cursed[0]]);
    const retried = await runCli([...command, '--retry-failed']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: cursed.length - 1, rowsFailed: 0 });
    expect(await failures()).toEqual([]);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows) - 1);
    const status = JSON.parse((await runCli(['status', 'sentences', '--database-url', fixture.db.url, '--state', state, '--json'])).stdout);
    expect(status).toMatchObject({ failures: 0, rowsDone: rows - 1, percent: 100 });
  });
});
