/**
 * Keyset reads of (id, text) in id order: each page starts after the last id of the one before, so the
 * database walks the primary-key index and the main process holds one page at a time, whatever the
 * table's size. Ranges already committed above the watermark are left out by the query itself, in the
 * id column's own type and ordering.
 */
import type pg from 'pg';
import type { SourceTable } from './source-table.js';
import type { IdRange } from './state-store.js';
import { quoteIdentifier } from './table-name.js';

export interface SourceRow {
  id: string;
  text: string | null;
}

export interface ReadOptions {
  after: string | null;
  exclude: readonly IdRange[];
  pageSize: number;
  limit?: number;
}

export async function* readPages(client: pg.ClientBase, source: SourceTable, options: ReadOptions): AsyncGenerator<SourceRow[]> {
  // Qualified, because the select list's text alias "id" would otherwise win in ORDER BY and sort as text.
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const text = `src.${quoteIdentifier(source.textColumn)}`;
  const cast = source.idType;
  let after = options.after;
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const params: (string | null)[] = [];
    const where: string[] = [];
    if (after !== null) {
      params.push(after);
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
    const pageSize = Math.min(options.pageSize, remaining);
    const result = await client.query<SourceRow>({
      text: `SELECT ${id}::text AS id, ${text}::text AS text FROM ${source.sql} AS src
              ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${id} LIMIT ${pageSize}`,
      values: params,
    });
    if (result.rows.length === 0) return;
    yield result.rows;
    after = result.rows[result.rows.length - 1]!.id;
    remaining -= result.rows.length;
    if (result.rows.length < pageSize) return;
  }
}

/** Text that has nothing to embed: counted as skipped, never sent to a worker. */
export function isBlank(text: string | null): boolean {
  return text === null || text.trim() === '';
}
