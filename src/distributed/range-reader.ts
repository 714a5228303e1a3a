/** Keyset reads of one range's rows, (after, last] in id order, a page at a time (see row-reader.ts). */
import type { Queryable } from '../db/database.js';
import { unreadCondition, type SourceRow } from '../source/row-reader.js';
import type { SourceTable } from '../source/source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { PlannedRange } from './range-queue.js';

export async function* readRange(
  client: Queryable,
  source: SourceTable,
  range: PlannedRange,
  options: { pageSize: number; pending?: string },
): AsyncGenerator<SourceRow[]> {
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const text = `src.${quoteIdentifier(source.textColumn)}`;
  let after = range.after;
  for (;;) {
    const { where, params } = unreadCondition(source, { after, exclude: [], pending: options.pending });
    params.push(range.last);
    const result = await client.query<SourceRow>(
      `SELECT ${id}::text AS id, ${text}::text AS text FROM ${source.sql} AS src
        WHERE ${where} AND ${id} <= $${params.length}::${source.idType} ORDER BY ${id} LIMIT ${options.pageSize}`,
      params,
    );
    if (result.rows.length === 0) return;
    yield result.rows;
    after = result.rows[result.rows.length - 1]!.id;
    // The range's last id read: no query to find that nothing follows.
    if (result.rows.length < options.pageSize || after === range.last) return;
  }
}
