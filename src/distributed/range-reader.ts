/**
 * Keyset reads of one range's rows, (after, last] in id order, a page at a time (see row-reader.ts):
 * every row, or the rows the target still needs (TargetInfo.pendingSql), or, for a range a catch-up
 * looks at again, the rows written since the last pass that the target needs (change-capture/), each
 * with its kind (new, late, changed) for the summary.
 */
import type { Queryable } from '../db/database.js';
import { PAGE_BYTES, queryPage, unreadCondition, type SourceRow } from '../source/row-reader.js';
import type { SourceTable } from '../source/source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import { catchUpSql, readKindSql } from '../change-capture/waiting-rows.js';
import type { TargetInfo } from '../target/target-table.js';
import type { PlannedRange } from './range-queue.js';
import { keysetPageSql } from '../source/source-sql.js';

export async function* readRange(
  client: Queryable,
  source: SourceTable,
  range: PlannedRange,
  target: TargetInfo,
  options: { pageSize: number; checkTarget: boolean },
): AsyncGenerator<SourceRow[]> {
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const text = source.textSql('src');
  const { pending, kind } = rangeReads(source, target, range, options.checkTarget);
  let after = range.after;
  for (;;) {
    const { where, params } = unreadCondition(source, { after, exclude: [], pending });
    params.push(range.last);
    const extra = kind === undefined ? '' : `, ${kind} AS kind`;
    const page = keysetPageSql(
      source.sql,
      id,
      text,
      extra,
      `${where} AND ${id} <= $${params.length}::${source.idType}`,
      options.pageSize,
      PAGE_BYTES,
      params,
    );
    const { rows, cutByBytes } = await queryPage(client, page, PAGE_BYTES);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
    // The range's last id read: no query to find that nothing follows.
    if ((!cutByBytes && rows.length < options.pageSize) || after === range.last) return;
  }
}

/** The condition a range's rows must meet, and their kind, when the range is not read whole. */
function rangeReads(
  source: SourceTable,
  target: TargetInfo,
  range: PlannedRange,
  checkTarget: boolean,
): { pending?: string; kind?: string } {
  if (range.recheck !== undefined) {
    const since = range.recheck ?? undefined;
    return { pending: since ? catchUpSql(target, since) : target.pendingSql, kind: readKindSql(source, target, since) };
  }
  return checkTarget ? { pending: target.pendingSql, kind: readKindSql(source, target, undefined) } : {};
}
