/**
 * Keyset reads of (id, text) in id order: each page starts after the last id of the one before, so the
 * database walks the primary-key index and the main process holds one page at a time, whatever the
 * table's size. Ranges already committed above the watermark are left out by the query itself, in the
 * id column's own type and ordering.
 */
import type { Queryable } from '../db/database.js';
import type { SourceTable } from './source-table.js';
import type { IdRange, RowKind } from './row-values.js';
import { quoteIdentifier } from '../db/table-name.js';
import { keysetPageSql } from './source-sql.js';

export interface SourceRow {
  id: string;
  text: string | null;
  /** What the row is to the target (see change-capture/waiting-rows.ts), when the read asked. */
  kind?: RowKind;
  /** When the row's transaction committed (Unix seconds), when the read asked and the server records it. */
  committedAt?: number | null;
}

export interface ReadOptions {
  after: string | null;
  exclude: readonly IdRange[];
  pageSize: number;
  limit?: number;
  /**
   * SQL condition on `src` a row must meet to be read (see TargetInfo.pendingSql): rows the target
   * already holds are then skipped by the server, their text never sent.
   */
  pending?: string;
  /** SQL on `src` giving each row's kind (readKindSql), for the summary. */
  kind?: string;
  /** Also read each row's commit time (needs track_commit_timestamp on), for the freshness lag. */
  commitTimes?: boolean;
  /**
   * Read only these ids (text form), still in id order and still meeting `pending`: the rows a count just
   * found, fetched through the primary key instead of a walk of the whole table.
   */
  only?: readonly string[];
}

export async function* readPages(client: Queryable, source: SourceTable, options: ReadOptions): AsyncGenerator<SourceRow[]> {
  // Qualified, because the select list's text alias "id" would otherwise win in ORDER BY and sort as text.
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const text = source.textSql('src');
  let after = options.after;
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const { where, params } = unreadCondition(source, { ...options, after });
    const only = options.only === undefined ? '' : ` AND ${id} = ANY ($${params.length + 1}::text[]::${source.idType}[])`;
    const pageSize = Math.min(options.pageSize, remaining);
    const committedAt = options.commitTimes ? `, extract(epoch FROM pg_xact_commit_timestamp(src.xmin))::float8 AS "committedAt"` : '';
    const extra = `${options.kind === undefined ? '' : `, ${options.kind} AS kind`}${committedAt}`;
    const page = keysetPageSql(
      source.sql,
      id,
      text,
      extra,
      `${where}${only}`,
      pageSize,
      options.only === undefined ? params : [...params, options.only],
    );
    const result = await client.query<SourceRow>(page.text, page.values);
    if (result.rows.length === 0) return;
    yield result.rows;
    after = result.rows[result.rows.length - 1]!.id;
    remaining -= result.rows.length;
    if (result.rows.length < pageSize) return;
  }
}

/** The rows a read with these options would return, as a condition on `src` (for counting them too). */
export function unreadCondition(
  source: SourceTable,
  options: Pick<ReadOptions, 'after' | 'exclude' | 'pending'>,
): { where: string; params: string[] } {
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const cast = source.idType;
  const params: string[] = [];
  const where: string[] = [];
  if (options.after !== null) {
    params.push(options.after);
    where.push(`${id} > $${params.length}::${cast}`);
  }
  for (const range of options.exclude) {
    params.push(range.last);
    const upTo = `${id} <= $${params.length}::${cast}`;
    if (range.after === null) {
      where.push(`NOT (${upTo})`);
    } else {
      params.push(range.after);
      where.push(`NOT (${id} > $${params.length}::${cast} AND ${upTo})`);
    }
  }
  if (options.pending !== undefined) where.push(`(${options.pending})`);
  return { where: where.length > 0 ? where.join(' AND ') : 'true', params };
}

/** Text that has nothing to embed: counted as skipped, never sent to a worker. */
export function isBlank(text: string | null): boolean {
  return text === null || text.trim() === '';
}
