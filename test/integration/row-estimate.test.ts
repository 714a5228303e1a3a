/**
 * The row estimate behind the progress bar and ETA: exact for a small table that was never analysed
 * (reltuples -1), the rows per page of a bounded read for a large one, the planner's scaling for one
 * that grew since ANALYZE, summed over partitions; and reading it changes no statistics.
 */
import { describe, expect, it } from 'vitest';
import { parseTableName } from '../../dist/src/db/table-name.js';
import { describeSource, estimateRows } from '../../dist/src/source/source-table.js';
import { useTestDatabase } from '../helpers/database.js';

describe('row estimate', () => {
  const fixture = useTestDatabase('embed-estimate-');
  // Autovacuum off: it would analyse the tables behind the test's back.
  const create = async (name: string, rows: number) => {
    await fixture.db.client.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, text text) WITH (autovacuum_enabled = false)`);
    await insert(name, 1, rows);
  };
  const insert = (name: string, from: number, to: number) =>
    fixture.db.client.query(`INSERT INTO ${name} SELECT i, 'sentence number ' || i FROM generate_series($1::bigint, $2::bigint) AS i`, [
      from,
      to,
    ]);
  const reltuples = async (name: string) =>
    Number((await fixture.db.client.query(`SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, [name])).rows[0].reltuples);
  const estimate = async (name: string, sampleRows?: number) =>
    estimateRows(fixture.db.client, await describeSource(fixture.db.client, parseTableName(name), 'id', 'text'), sampleRows);

  it('counts a small table that was never analysed, and leaves it unanalysed', async () => {
    await create('small_fresh', 1_234);
    expect(await reltuples('small_fresh')).toBe(-1);
    expect(await estimate('small_fresh')).toBe(1_234);
    expect(await reltuples('small_fresh')).toBe(-1);
  });

  it('says 0 for a table that was never analysed and holds nothing', async () => {
    await create('empty_fresh', 0);
    expect(await estimate('empty_fresh')).toBe(0);
  });

  it('extrapolates a bounded read over a large table that was never analysed', async () => {
    await create('large_fresh', 60_000);
    expect(await reltuples('large_fresh')).toBe(-1);
    const rows = await estimate('large_fresh', 2_000);
    expect(rows).not.toBe(2_000);
    expect(Math.abs(rows - 60_000) / 60_000).toBeLessThan(0.05);
  });

  it('scales the last ANALYZE to the pages the table has now', async () => {
    await create('grown', 10_000);
    await fixture.db.client.query('ANALYZE grown');
    expect(await reltuples('grown')).toBe(10_000);
    await insert('grown', 10_001, 30_000);
    const rows = await estimate('grown', 100);
    expect(Math.abs(rows - 30_000) / 30_000).toBeLessThan(0.05);
  });

  it('counts a table analysed while empty and filled since', async () => {
    await create('filled_later', 0);
    await fixture.db.client.query('ANALYZE filled_later');
    await insert('filled_later', 1, 700);
    expect(await estimate('filled_later')).toBe(700);
  });

  it('sums the partitions of a partitioned table, analysed or not', async () => {
    await fixture.db.client.query(`
      CREATE TABLE parted (id bigint PRIMARY KEY, text text) PARTITION BY RANGE (id);
      CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (1) TO (20001) WITH (autovacuum_enabled = false);
      CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (20001) TO (100001) WITH (autovacuum_enabled = false);`);
    await insert('parted', 1, 50_000);
    expect(await estimate('parted')).toBe(50_000);
    const sampled = await estimate('parted', 3_000);
    expect(Math.abs(sampled - 50_000) / 50_000).toBeLessThan(0.05);
    await fixture.db.client.query('ANALYZE parted_low');
    const partly = await estimate('parted', 3_000);
    expect(Math.abs(partly - 50_000) / 50_000).toBeLessThan(0.05);
  });
});
