/**
 * The write guard of a single-host run: a row whose text is edited while its batch is in flight is left
 * out of that batch's write (never written with the older text's vector), and the next run embeds its
 * new text.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { createTargetOnOneHost, holdWrites, untilWritesWait } from '../helpers/hosts.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const rows = 600;

describe('the write guard', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-write-guard-');

  it('leaves out the rows edited while their batch was in flight; the next run embeds their new text', async () => {
    const target = 'guarded_embeddings';
    const state = path.join(fixture.dir, 'state.sqlite');
    const command = [
      'sentences',
      '50',
      '--sort-window',
      '100',
      '--workers',
      '1',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--target',
      target,
      '--state',
      state,
      '--quiet',
    ];
    await createTargetOnOneHost({ databaseUrl: fixture.db.url, modelDir, target, stateFile: path.join(fixture.dir, 'create.sqlite') });
    const held = await holdWrites(fixture.db.url, target);
    const { child, done } = startCli(command);
    try {
      await untilWritesWait(fixture.db.client, { name: 'run', dir: fixture.dir, child, done });
      // The batches in flight hold the texts they read; every text changes now (but row 1's, embedded
      // before this run by the one that created the target).
      await fixture.db.client.query(`UPDATE sentences SET text = text || ' (edited)' WHERE id > 1 AND text ~ '[^[:space:]]'`);
    } finally {
      await held.release();
    }
    const first = await done;
    expect(first.code, first.stderr).toBe(0);
    const written = await fixture.db.client.query<{ stale: number; missing: number }>(
      `SELECT count(*) FILTER (WHERE t.content_hash <> md5(convert_to(s.text, 'UTF8')))::int AS stale,
              count(*) FILTER (WHERE t.id IS NULL AND s.text ~ '[^[:space:]]')::int AS missing
         FROM sentences s LEFT JOIN ${target} t USING (id)`,
    );
    // No vector of an older text was written; the rows of the batches in flight were left out.
    expect(written.rows[0]!.stale).toBe(0);
    expect(written.rows[0]!.missing).toBeGreaterThan(0);
    const second = await runCli(command);
    expect(second.code, second.stderr).toBe(0);
    await expectSameAsFreshRun(fixture.db.client, { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });
  });
});
