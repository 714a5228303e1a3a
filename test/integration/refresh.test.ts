/**
 * `--refresh` compares every row with the target on the server (md5 of the text against content_hash)
 * and re-embeds only the rows whose text changed and the rows never embedded; unchanged texts are not
 * sent to a worker. Embeddings of deleted rows go with them (ON DELETE CASCADE), and those of texts
 * emptied since are removed. A plain run already catches the edits; what only --refresh finds is a
 * target that lost rows behind embed's back.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { runCli } from '../helpers/cli.js';
import { directEmbeddings, maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 4_000;

describe('embed --refresh', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-refresh-');
  const { dir } = fixture;

  it('re-embeds changed texts and rows never embedded, and nothing else', async () => {
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

    const changed = await fixture.db.client.query<{ id: string; text: string }>(
      `UPDATE sentences SET text = 'rewritten: ' || text WHERE id % 97 = 3 AND text <> '' RETURNING id::text, text`,
    );
    // Rows the target lost behind the watermark, as a hand-edited target or a restored backup would.
    const lost = await fixture.db.client.query(`DELETE FROM sentences_embeddings WHERE id % 89 = 5 AND id % 97 <> 3`);
    const deleted = await fixture.db.client.query(`DELETE FROM sentences WHERE id % 101 = 9 AND id % 97 <> 3 AND id % 89 <> 5`);
    // Texts emptied since they were embedded: their vectors no longer stand for anything.
    await fixture.db.client.query(`UPDATE sentences SET text = CASE id WHEN 11 THEN '  ' ELSE NULL END WHERE id IN (11, 12)`);
    const embeddedNow = await countRows(fixture.db.client, 'sentences_embeddings');

    const plain = await runCli(command);
    expect(JSON.parse(plain.stdout)).toMatchObject({ rowsEmbedded: changed.rowCount!, rowsChanged: changed.rowCount! });

    const refresh = await runCli([...command, '--refresh']);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(refresh.stderr).toBe('');
    expect(JSON.parse(refresh.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: lost.rowCount!, rowsNew: lost.rowCount! });

    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddedNow + lost.rowCount! - 2);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows) - deleted.rowCount! - 2);
    expect((await fixture.db.client.query(`SELECT 1 FROM sentences_embeddings WHERE id IN (11, 12)`)).rowCount).toBe(0);
    const orphans = await fixture.db.client.query(
      `SELECT 1 FROM sentences_embeddings e LEFT JOIN sentences s USING (id) WHERE s.id IS NULL`,
    );
    expect(orphans.rowCount).toBe(0);
    const stale = await fixture.db.client.query(
      `SELECT 1 FROM sentences s JOIN sentences_embeddings e USING (id) WHERE e.content_hash <> md5(s.text)`,
    );
    expect(stale.rowCount).toBe(0);

    // The changed rows hold the vectors of their new text.
    const stored = await storedEmbeddings(fixture.db.client, 'sentences_embeddings');
    const expected = await directEmbeddings(
      modelDir,
      changed.rows.map((r) => r.text),
    );
    changed.rows.forEach((row, i) => {
      expect(maxAbsDifference(stored.get(row.id)!, expected[i]!)).toBeLessThanOrEqual(1e-6);
    });

    const again = await runCli([...command, '--refresh']);
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsEmbedded: 0 });
  });
});
