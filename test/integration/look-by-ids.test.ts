/**
 * A watcher's look that finds few rows reads them by id: the count lists their ids, and the pass reads
 * the rows the walk of the whole table would have embedded, in the same order, page by page. Past
 * the listing limit the count lists none, and the pass walks the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takePassSnapshot } from '../../dist/src/source/pass-snapshot.js';
import { catchUpSql, clearBlankAndCount, idsListedUpTo } from '../../dist/src/change-capture/waiting-rows.js';
import { readPages } from '../../dist/src/source/row-reader.js';
import { describeSource } from '../../dist/src/source/source-table.js';
import { describeTarget } from '../../dist/src/target/target-table.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const model = { name: 'tiny', fileHash: 'abcdef0123456789' };
const label = 'tiny@abcdef012345';

describe('a look that lists the rows it found', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  /** A table of `rows` rows, all embedded; then a snapshot, and what `change` writes after it. */
  const changedSince = async (name: string, idType: string, rows: number, change: string) => {
    await db.client.query(`CREATE TABLE ${name} (id ${idType} PRIMARY KEY, text text)`);
    await db.client.query(
      `CREATE TABLE ${name}_embeddings (id ${idType} PRIMARY KEY REFERENCES ${name}(id) ON DELETE CASCADE, model text NOT NULL, content_hash text NOT NULL)`,
    );
    await db.client.query(`INSERT INTO ${name} SELECT i::text::${idType}, 'text ' || i FROM generate_series(1, $1::int) AS i`, [rows]);
    await db.client.query(`INSERT INTO ${name}_embeddings SELECT id, $1, md5(convert_to(text, 'UTF8')) FROM ${name}`, [label]);
    const source = await describeSource(db.client, { name }, 'id', 'text');
    const target = describeTarget(source, model, {});
    const snapshot = (await takePassSnapshot(db.client, source))!;
    await db.client.query(change.replaceAll('$table', name));
    return { source, target, snapshot };
  };
  const readAll = async (pages: AsyncIterable<{ id: string }[]>) => {
    const read: string[][] = [];
    for await (const page of pages) read.push(page.map((row) => row.id));
    return read;
  };

  for (const idType of ['bigint', 'text']) {
    it(`reads the listed rows, and only those, as the walk of the whole table would (${idType} ids)`, async () => {
      const name = `listed_${idType}`;
      // Edits, a new row, an emptied text (its vector goes, it is not read) and an update that changes nothing.
      const { source, target, snapshot } = await changedSince(
        name,
        idType,
        120,
        `UPDATE $table SET text = text || ' (edited)' WHERE id::text IN ('7', '10', '99');
         INSERT INTO $table VALUES ('500', 'added');
         UPDATE $table SET text = '' WHERE id::text = '42';
         UPDATE $table SET text = text WHERE id::text = '77';`,
      );
      const { counts, ids } = await clearBlankAndCount(db.client, source, target, snapshot);
      expect(counts).toEqual({ new: 1, late: 0, changed: 3 });
      const inIdOrder = idType === 'bigint' ? ['7', '10', '99', '500'] : ['10', '500', '7', '99'];
      expect(ids).toEqual(inIdOrder);
      const read = { after: null, exclude: [], pageSize: 2, pending: catchUpSql(target, snapshot) };
      const listed = await readAll(readPages(db.client, source, { ...read, only: ids }));
      expect(listed).toEqual([inIdOrder.slice(0, 2), inIdOrder.slice(2)]);
      // The walk also reads the emptied text, which the count has dealt with already (its vector is gone).
      const walked = (await readAll(readPages(db.client, source, read))).flat();
      expect(walked.filter((id) => id !== '42')).toEqual(listed.flat());
      expect(walked).toContain('42');
    });
  }

  it(`lists no ids past ${idsListedUpTo} rows waiting: the pass walks the table`, async () => {
    const { source, target, snapshot } = await changedSince(
      'unlisted',
      'bigint',
      idsListedUpTo + 1,
      `UPDATE $table SET text = text || '!'`,
    );
    const { counts, ids } = await clearBlankAndCount(db.client, source, target, snapshot);
    expect(counts.changed).toBe(idsListedUpTo + 1);
    expect(ids).toBeUndefined();
  });
});
