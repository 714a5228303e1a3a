/**
 * Cuts ids into ranges: the ids above a point (the rows added since the last pass), walking only the id
 * column's unique index, the texts never read; or the ids up to a point that meet a condition (the rows
 * a catch-up must look at again, see distributed-job.ts), each range then covering only from one such
 * id to another. One snapshot (REPEATABLE READ, the caller's transaction) for counting and cutting, so
 * the cuts match the count; rows added meanwhile lie above the last cut and go to the next pass.
 */
import type pg from 'pg';
import type { SourceTable } from '../source/source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import { rangeSizes, type RangeSizing } from './range-sizes.js';
import type { PlannedRange } from './range-queue.js';
import { planCountSql, planCutsSql } from './queue-sql.js';

export async function planRanges(
  client: pg.ClientBase,
  source: SourceTable,
  pass: number,
  after: string | null,
  sizing: RangeSizing,
  recheck?: { upTo: string; where: string; since: PlannedRange['recheck'] },
): Promise<PlannedRange[]> {
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const params = after === null ? [] : [after];
  let above = after === null ? 'true' : `${id} > $1::${source.idType}`;
  if (recheck) {
    params.push(recheck.upTo);
    above += ` AND ${id} <= $${params.length}::${source.idType} AND (${recheck.where})`;
  }
  const count = planCountSql(source.sql, id, above, params);
  const counted = await client.query<{ n: string }>(count.text, count.values);
  const sizes = rangeSizes(Number(counted.rows[0]!.n), sizing);
  if (sizes.length === 0) return [];
  const cuts: number[] = [];
  let total = 0;
  for (const size of sizes) {
    total += size;
    cuts.push(total);
  }
  const cutsAt = planCutsSql(source.sql, id, above, params.length + 1, [...params, cuts]);
  const cut = await client.query<{ n: string; id: string }>(cutsAt.text, cutsAt.values);
  let previous = after;
  return cut.rows.map((row, i) => {
    const range: PlannedRange = { pass, after: previous, last: row.id, rows: sizes[i]!, ...(recheck && { recheck: recheck.since }) };
    previous = row.id;
    return range;
  });
}
