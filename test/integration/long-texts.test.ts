/**
 * Long texts read a few MB at a time: keyset pages end at their bytes of text as well as their rows, and
 * a page cut by its bytes is not taken for the last one; a run over texts of several MB succeeds.
 */
import { describe, expect, inject, it } from 'vitest';
import { parseTableName } from '../../dist/src/db/table-name.js';
import { readRange } from '../../dist/src/distributed/range-reader.js';
import { PAGE_BYTES, readPages } from '../../dist/src/source/row-reader.js';
import { describeSource } from '../../dist/src/source/source-table.js';
import { useTestDatabase } from '../helpers/database.js';

const MB = 1024 * 1024;
const LONG_ROWS = 20;
const SHORT_ROWS = 40;

describe('long texts', () => {
  // 20 texts of 2 MB, then 40 short ones: the server makes them (and TOAST compresses them).
  const fixture = useTestDatabase('embed-long-texts-', async (db) => {
    await db.client.query('CREATE TABLE documents (id bigint PRIMARY KEY, text text)');
    await db.client.query(
      `INSERT INTO documents SELECT i, left(repeat('The river ' || i || ' runs past the stone. ', ${Math.ceil((2 * MB) / 20)}), ${2 * MB})
         FROM generate_series(1, ${LONG_ROWS}) AS i`,
    );
    await db.client.query(
      `INSERT INTO documents SELECT i, 'short text ' || i FROM generate_series(${LONG_ROWS + 1}, ${LONG_ROWS + SHORT_ROWS}) AS i`,
    );
    // A table for the run: three long texts among short ones.
    await db.client.query('CREATE TABLE mixed (id bigint PRIMARY KEY, text text)');
    await db.client.query(
      `INSERT INTO mixed SELECT i, CASE WHEN i % 15 = 3 THEN left(repeat('The river ' || i || ' runs past the stone. ', ${Math.ceil((2 * MB) / 20)}), ${2 * MB})
                                   ELSE 'short text ' || i END
         FROM generate_series(1, 45) AS i`,
    );
  });

  it('reads pages of a few MB, the rows after a page cut by its bytes too, and knows the last page', async () => {
    const source = await describeSource(fixture.db.client, parseTableName('documents'), 'id', 'text');
    const pages: { ids: string[]; bytes: number; lastAnnounced: boolean }[] = [];
    let lastAnnounced = false;
    for await (const page of readPages(fixture.db.client, source, {
      after: null,
      exclude: [],
      pageSize: 1600,
      onLastPage: () => {
        lastAnnounced = true;
      },
    })) {
      const bytes = page.reduce((sum, row) => sum + Buffer.byteLength(row.text ?? ''), 0);
      pages.push({ ids: page.map((row) => row.id), bytes, lastAnnounced });
      expect(Object.keys(page[0]!).sort()).toEqual(['id', 'text']);
    }
    expect(pages.flatMap((page) => page.ids)).toEqual(Array.from({ length: LONG_ROWS + SHORT_ROWS }, (_, i) => String(i + 1)));
    // Each page stops at the row that reaches the budget: a few MB, never the 40 MB of the table; a
    // table of such texts is read one at a time.
    for (const page of pages) expect(page.bytes).toBeLessThan(PAGE_BYTES + 2 * MB);
    expect(PAGE_BYTES).toBeLessThanOrEqual(2 * MB);
    expect(pages.slice(0, LONG_ROWS).map((page) => page.ids.length)).toEqual(Array(LONG_ROWS).fill(1));
    // Pages cut by their bytes come back short of rows, yet only the very last is announced as the last.
    expect(pages.map((page) => page.lastAnnounced)).toEqual(pages.map((_, i) => i === pages.length - 1));
  });

  it('reads a --distributed range in pages of a few MB to its last id, past the pages cut by their bytes', async () => {
    const source = await describeSource(fixture.db.client, parseTableName('documents'), 'id', 'text');
    // Nothing of the target is read when the range is read whole.
    const target = {
      display: 'documents_embeddings',
      ref: { kind: 'table' as const, table: 'documents_embeddings' },
      pendingSql: 'true',
      clearBlankSql: '',
      chunked: false,
    };
    const range = { pass: 1, after: '2', last: '30', rows: 28 };
    const pages: string[][] = [];
    for await (const page of readRange(fixture.db.client, source, range, target, { pageSize: 1600, checkTarget: false })) {
      expect(page.reduce((sum, row) => sum + Buffer.byteLength(row.text ?? ''), 0)).toBeLessThan(PAGE_BYTES + 2 * MB);
      pages.push(page.map((row) => row.id));
    }
    expect(pages.flat()).toEqual(Array.from({ length: 28 }, (_, i) => String(i + 3)));
    expect(pages.length).toBeGreaterThan(2);
  });

  it('embeds a table of texts of 2 MB among short ones', async () => {
    const result = await fixture.run(['mixed', '--model', inject('tinyModelDir'), '--workers', '2', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: 45, rowsTruncated: 3 });
    const stored = await fixture.db.client.query('SELECT count(*)::int AS n FROM mixed_embeddings');
    expect(stored.rows[0].n).toBe(45);
  });
});
