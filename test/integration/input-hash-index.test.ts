/**
 * The workers ask the target which of their inputs it holds (EXISTS on input_hash): the side table is
 * created with an index on input_hash, and a side table made before the column existed gets the column
 * and the index on its next run, keeping its rows. (On a small target the planner still prefers one
 * sequential scan and a hash join to a probe per input, which reads fewer pages; see docs/duplicates.md.)
 */
import { describe, expect, inject, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 400;

describe('the index on input_hash', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-input-hash-', (db) => createTextTable(db.client, 'sentences', rows));
  const embed = (...extra: string[]) => fixture.run(['sentences', '--workers', '1', '--model', modelDir, '--json', ...extra]);
  const indexes = async () =>
    (
      await fixture.db.client.query<{ columns: string }>(
        `SELECT pg_get_indexdef(i.indexrelid) AS columns FROM pg_index i
          WHERE i.indrelid = 'sentences_embeddings'::regclass AND NOT i.indisprimary`,
      )
    ).rows.map((r) => r.columns.replace(/^.* USING /, ''));

  it('is created with the side table', async () => {
    const first = await embed();
    expect(first.code, first.stderr).toBe(0);
    expect(await indexes()).toEqual(['btree (input_hash)']);
  });

  it('is added, with its column, to a side table made before them; the rows stay', async () => {
    await fixture.db.client.query('ALTER TABLE sentences_embeddings DROP COLUMN input_hash');
    expect(await indexes()).toEqual([]);
    const again = await embed();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'completed' });
    expect(await indexes()).toEqual(['btree (input_hash)']);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows));
  });
});
