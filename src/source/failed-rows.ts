/**
 * The rows of `--retry-failed`: the ids in the job's failures table, read back from the source in id
 * order, a page at a time. Ids that are gone from the source, or whose text is now empty, have nothing
 * left to embed and stop being failures.
 */
import type { Queryable } from '../db/database.js';
import { isBlank, type SourceRow } from './row-reader.js';
import type { SourceTable } from './source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import { rowsByIdSql } from './source-sql.js';

export async function* readFailedRows(
  client: Queryable,
  source: SourceTable,
  ids: readonly string[],
  pageSize: number,
  settled: (ids: string[]) => void,
): AsyncGenerator<SourceRow[]> {
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const text = source.textSql('src');
  for (let start = 0; start < ids.length; start += pageSize) {
    const wanted = ids.slice(start, start + pageSize);
    const byId = rowsByIdSql(source.sql, id, text, source.idType, wanted);
    const result = await client.query<SourceRow>(byId.text, byId.values);
    // Ids are compared as the source prints them, which is how they were recorded.
    const found = new Set(result.rows.map((row) => row.id));
    const gone = wanted.filter((rowId) => !found.has(rowId));
    settled([...gone, ...result.rows.filter((row) => isBlank(row.text)).map((row) => row.id)]);
    if (result.rows.length > 0) yield result.rows;
  }
}
