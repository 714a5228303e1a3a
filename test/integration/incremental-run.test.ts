/**
 * After a complete run, the same command embeds only the rows written since it started: it looks at each
 * row version's transaction id on the server (one pass over the source, no text sent), and compares with
 * the target only the rows written since, so the target is probed in proportion to them.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { runCli } from '../helpers/cli.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 5_000;
const added = 40;

describe('an incremental run', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-incremental-');
  const { dir } = fixture;

  /** The target's index fetches, once every backend that touched it has reported. */
  const targetReads = async () => {
    await fixture.db.client.query('SELECT pg_stat_clear_snapshot()');
    const result = await fixture.db.client.query<{ fetched: string }>(
      `SELECT coalesce(idx_tup_fetch, 0) AS fetched FROM pg_stat_user_tables WHERE relname = 'sentences_embeddings'`,
    );
    return { fetched: Number(result.rows[0]!.fetched) };
  };

  it('embeds only the rows added since the last complete run, comparing only them with the target', async () => {
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
      path.join(dir, 's.sqlite'),
      '--json',
    ];
    const first = await runCli(command);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).rowsEmbedded).toBe(embeddableRows(rows));

    await fixture.db.client.query(
      `INSERT INTO sentences SELECT i, 'a sentence added later, number ' || i FROM generate_series($1::int, $2::int) AS i`,
      [rows + 1, rows + added],
    );
    // Statistics reach the shared counters when a backend ends or idles; settle them before measuring.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const before = await targetReads();
    const second = await runCli(command);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: added, rowsNew: added });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const after = await targetReads();
    // The new rows' probes and upserts; comparing every row would fetch thousands. (The workers' lookup
    // of stored inputs may read this small target whole: that is the planner's choice at this size.)
    expect(after.fetched - before.fetched).toBeLessThan(10 * added);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows) + added);

    const third = await runCli(command);
    expect(JSON.parse(third.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: 0 });
  });
});
