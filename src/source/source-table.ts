/**
 * What the job needs to know about the user's table before reading it: that it and its columns exist,
 * the id column's type (the target copies it and keyset reads order by it) and that the id is unique,
 * and a cheap row estimate for the progress bar (estimateRows).
 */
import type pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import type { Queryable } from '../db/database.js';
import { quoteIdentifier, quoteTable, type TableName } from '../db/table-name.js';
import {
  columnTypesSql,
  countRowsSql,
  highestOfSql,
  lastIdSql,
  privilegesSql,
  rowEstimateSql,
  rowSampleSql,
  tableColumnsSql,
  tableLookupSql,
  uniqueIndexSql,
} from './source-sql.js';
import type { TextTemplate } from '../config/text-template.js';
import { textColumnsOf, textFlagOf, textSqlOf, type SourceText } from './source-text.js';

export interface SourceTable {
  table: TableName;
  /** Schema the table was found in (resolved through search_path when not given). */
  schema: string;
  /** Quoted, schema-qualified. */
  sql: string;
  idColumn: string;
  /** format_type() of the id column, e.g. bigint, integer, uuid, text. */
  idType: string;
  /** What the model reads of a row: a column or a template of several (source-text.ts). */
  text: SourceText;
  /** The text of the row aliased `alias`, as one SQL expression: the only way statements name it. */
  textSql(alias: string): string;
  /** The role may lock rows of the table (row locks need UPDATE on a column): see target/stage-table.ts. */
  lockable: boolean;
}

const textTypes = new Set(['text', 'character varying', 'character', 'citext', 'name']);

/**
 * The source table and its text: a column name (--text-column) or a parsed template (--text), whose
 * columns must all exist, be readable and be text (or --cast-text).
 */
export async function describeSource(
  client: pg.ClientBase,
  table: TableName,
  idColumn: string,
  textOf: string | TextTemplate,
  options: { castText?: boolean } = {},
): Promise<SourceTable> {
  const text: SourceText = typeof textOf === 'string' ? { kind: 'column', column: textOf } : { kind: 'template', template: textOf };
  const textColumns = textColumnsOf(text);
  const qualified = quoteTable(table);
  const lookup = tableLookupSql(qualified);
  const found = await client.query<{ oid: number; schema: string }>(lookup.text, lookup.values);
  const row = found.rows[0];
  if (!row) throw new DatabaseError(`table ${qualified} does not exist; check the name and schema`, { code: 'SOURCE' });

  const columnTypes = columnTypesSql(row.oid, [idColumn, ...textColumns]);
  const columns = await client.query<{ name: string; type: string; attnum: number }>(columnTypes.text, columnTypes.values);
  const column = async (name: string, flag: string) => {
    const match = columns.rows.find((c) => c.name === name);
    if (match) return match;
    if (flag === '--text') {
      const all = tableColumnsSql(row.oid);
      const names = (await client.query<{ name: string }>(all.text, all.values)).rows.map((c) => c.name);
      throw new DatabaseError(`table ${qualified} has no column ${quoteIdentifier(name)} in --text; its columns are: ${names.join(', ')}`, {
        code: 'SOURCE',
      });
    }
    throw new DatabaseError(`table ${qualified} has no column ${quoteIdentifier(name)}; name the right one with ${flag}`, {
      code: 'SOURCE',
    });
  };
  const id = await column(idColumn, '--id-column');
  const flag = textFlagOf(text);
  for (const name of textColumns) {
    const type = (await column(name, flag)).type;
    if (!textTypes.has(type) && !options.castText) {
      throw new DatabaseError(
        `column ${quoteIdentifier(name)} of ${qualified} is ${type}, not text; ` +
          `${text.kind === 'column' ? 'pick a text column with --text-column, ' : 'leave it out of --text, '}or pass --cast-text to embed its text form`,
        { code: 'SOURCE' },
      );
    }
  }
  const privileges = privilegesSql(row.oid, [idColumn, ...textColumns]);
  const readable = await client.query<{ ok: boolean; lockable: boolean }>(privileges.text, privileges.values);
  if (!readable.rows[0]!.ok) {
    throw new DatabaseError(`no permission to read ${qualified}; GRANT SELECT ON ${qualified} to this role`, { code: 'SOURCE' });
  }
  const uniqueIndex = uniqueIndexSql(row.oid, id.attnum);
  const unique = await client.query(uniqueIndex.text, uniqueIndex.values);
  if (unique.rowCount === 0) {
    throw new DatabaseError(
      `id column ${quoteIdentifier(idColumn)} of ${qualified} is not a primary key or unique; pick one that is with --id-column`,
      { code: 'SOURCE' },
    );
  }
  return {
    table,
    schema: row.schema,
    sql: `${quoteIdentifier(row.schema)}.${quoteIdentifier(table.name)}`,
    idColumn,
    idType: id.type,
    text,
    textSql: (alias) => textSqlOf(text, alias),
    lockable: readable.rows[0]!.lockable,
  };
}

/** Rows read at most to measure a table that has no statistics: a fraction of a second. */
export const rowsSampledForEstimate = 100_000;

/**
 * The planner's way: rows per page from the last ANALYZE or VACUUM, times the pages the table has now
 * (so a table that grew since is not under-counted), summed over partitions. Pages of a table with no
 * statistics (never analysed: reltuples is -1 from PostgreSQL 14 on; or analysed while empty) are
 * measured instead: a bounded read gives the exact count of a small table, else the rows per page it
 * saw. Never a full count(*) of a large table.
 */
export async function estimateRows(client: Queryable, source: SourceTable, sampleRows = rowsSampledForEstimate): Promise<number> {
  const estimate = rowEstimateSql(source.sql);
  const stats = (await client.query<{ known: number; unknown_pages: number }>(estimate.text, estimate.values)).rows[0]!;
  if (stats.unknown_pages === 0) return Math.round(stats.known);
  const sampled = rowSampleSql(source.sql, sampleRows);
  const sample = (await client.query<{ rows: number; pages: number }>(sampled.text, sampled.values)).rows[0]!;
  // Fewer rows than asked for: the read reached the end of the table, so this is the count.
  if (sample.rows < sampleRows) return sample.rows;
  return Math.round(stats.known + (sample.rows / sample.pages) * stats.unknown_pages);
}

/** The largest of some ids (of the table's, given none), compared by PostgreSQL in the id column's own type. */
export async function highestId(client: Queryable, source: SourceTable, ids: (string | null)[]): Promise<string | null> {
  if (ids.length === 0) {
    const result = await client.query<{ id: string }>(lastIdSql(source.sql, `src.${quoteIdentifier(source.idColumn)}`).text);
    return result.rows[0]?.id ?? null;
  }
  const present = ids.filter((id): id is string => id !== null);
  if (present.length === 0) return null;
  // ORDER BY rather than max(): not every orderable type (uuid on older servers) has a max aggregate.
  const highest = highestOfSql(source.idType, present);
  const result = await client.query<{ id: string }>(highest.text, highest.values);
  return result.rows[0]!.id;
}

/** The table's exact row count: a scan of the whole table (embed status), where estimateRows guesses. */
export async function countRows(client: Queryable, source: Pick<SourceTable, 'sql'>): Promise<number> {
  const count = countRowsSql(source.sql);
  return Number((await client.query<{ total: string }>(count.text, count.values)).rows[0]!.total);
}
