/**
 * Keyset reads of (id, text) in id order: each page starts after the last id of the one before, so the
 * database walks the primary-key index and the main process holds one page at a time, whatever the
 * table's size. A page ends at its rows or at its bytes of text, whichever comes first, so that long
 * texts are read a few at a time. Ranges already committed above the watermark are left out by the
 * query itself, in the id column's own type and ordering.
 */
import type { Queryable } from '../db/database.js';
import type { Statement } from '../db/statement.js';
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

/**
 * The bytes of text a page holds, passed by its last row only: short texts never reach it (a page of
 * sentences is a few hundred KB), while a table of 1 MB texts is read 2 rows at a time. The main thread
 * keeps a page's texts until its last task is out, on top of those of the tasks in flight.
 */
export const PAGE_BYTES = 2 * 1024 * 1024;

export interface ReadOptions {
  after: string | null;
  exclude: readonly IdRange[];
  pageSize: number;
  /** PAGE_BYTES unless given. */
  pageBytes?: number;
  /** Called before the last page is handed out, when the read knows it is the last (it came back short). */
  onLastPage?: () => void;
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
  const pageBytes = options.pageBytes ?? PAGE_BYTES;
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
      pageBytes,
      options.only === undefined ? params : [...params, options.only],
    );
    const { rows, cutByBytes } = await queryPage(client, page, pageBytes);
    if (rows.length === 0) return;
    // A page cut by its bytes says nothing of the end; one short of rows is the last.
    const last = !cutByBytes && rows.length < pageSize;
    if (last) options.onLastPage?.();
    yield rows;
    after = rows[rows.length - 1]!.id;
    remaining -= rows.length;
    if (last) return;
  }
}

interface PageRow extends SourceRow {
  bytesThrough: string;
  pageRow: string;
}

/** A keyset page's rows (keysetPageSql), and whether its bytes ended it before its rows did. */
export async function queryPage(
  client: Queryable,
  page: Statement,
  pageBytes: number,
): Promise<{ rows: SourceRow[]; cutByBytes: boolean }> {
  const result = await client.query<PageRow>(page.text, page.values);
  const rows = result.rows.map(({ bytesThrough: _bytes, pageRow: _place, ...row }) => row);
  const last = result.rows[result.rows.length - 1];
  return { rows, cutByBytes: last !== undefined && Number(last.bytesThrough) >= pageBytes };
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
