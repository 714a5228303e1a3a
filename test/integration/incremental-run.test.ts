/**
 * After a complete run, the same command embeds only the rows added since (ids above the watermark),
 * walking the primary key from the watermark: no sequential scan of the source, and index reads in
 * proportion to the new rows, not to the table.
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

  /** The source's scan counters, once every backend that touched it has reported. */
  const scans = async () => {
    await fixture.db.client.query('SELECT pg_stat_clear_snapshot()');
    const result = await fixture.db.client.query<{ seq: string; fetched: string }>(
      `SELECT seq_scan AS seq, coalesce(idx_tup_fetch, 0) AS fetched FROM pg_stat_user_tables WHERE relname = 'sentences'`,
    );
    return { seq: Number(result.rows[0]!.seq), fetched: Number(result.rows[0]!.fetched) };
  };

  it('embeds only the rows added since the last complete run, without scanning the table', async () => {
    const command = ['sentences', '100', '--workers', '2', '--model', modelDir, '--database-url', fixture.db.url, '--state', path.join(dir, 's.sqlite'), '--json'];
    const first = await runCli(command);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).rowsEmbedded).toBe(embeddableRows(rows));

    await fixture.db.client.query(`INSERT INTO sentences SELECT i, 'a sentence added later, number ' || i FROM generate_series($1::int, $2::int) AS i`, [
      rows + 1,
      rows + added,
    ]);
    // Statistics reach the shared counters when a backend ends or idles; settle them before measuring.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const before = await scans();
    const second = await runCli(command);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: added });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const after = await scans();
    expect(after.seq - before.seq).toBe(0);
    // The new rows, their foreign-key checks and a few single-row lookups; a scan would fetch thousands.
    expect(after.fetched - before.fetched).toBeLessThan(10 * added);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows) + added);

    const third = await runCli(command);
    expect(JSON.parse(third.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: 0 });
  });
});
