/**
 * Cuts the ids above a point into ranges, walking only the id column's unique index: the texts are
 * never read. One snapshot (REPEATABLE READ, the caller's transaction) for counting and cutting, so
 * the cuts match the count; rows added meanwhile lie above the last cut and go to the next pass.
 */
import type pg from 'pg';
import type { SourceTable } from '../source/source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import { rangeSizes, type RangeSizing } from './range-sizes.js';
import type { PlannedRange } from './range-queue.js';

export async function planRanges(
  client: pg.ClientBase,
  source: SourceTable,
  pass: number,
  after: string | null,
  sizing: RangeSizing,
): Promise<PlannedRange[]> {
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const above = after === null ? 'true' : `${id} > $1::${source.idType}`;
  const params = after === null ? [] : [after];
  const counted = await client.query<{ n: string }>(`SELECT count(${id}) AS n FROM ${source.sql} AS src WHERE ${above}`, params);
  const sizes = rangeSizes(Number(counted.rows[0]!.n), sizing);
  if (sizes.length === 0) return [];
  const cuts: number[] = [];
  let total = 0;
  for (const size of sizes) cuts.push((total += size));
  const cut = await client.query<{ n: string; id: string }>(
    `SELECT n, id FROM (
       SELECT row_number() OVER (ORDER BY ${id}) AS n, ${id}::text AS id FROM ${source.sql} AS src WHERE ${above}
     ) numbered WHERE n = ANY($${params.length + 1}::bigint[]) ORDER BY n`,
    [...params, cuts],
  );
  let previous = after;
  return cut.rows.map((row, i) => {
    const range = { pass, after: previous, last: row.id, rows: sizes[i]! };
    previous = row.id;
    return range;
  });
}
