/**
 * What the job needs to know about the user's table before reading it: that it and its columns exist,
 * the id column's type (the target copies it and keyset reads order by it) and that the id is unique,
 * and a cheap row estimate for the progress bar (estimateRows).
 */
import type pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import type { Queryable } from '../db/database.js';
import { quoteIdentifier, quoteTable, type TableName } from '../db/table-name.js';
import { countRowsSql } from './source-sql.js';

export interface SourceTable {
  table: TableName;
  /** Schema the table was found in (resolved through search_path when not given). */
  schema: string;
  /** Quoted, schema-qualified. */
  sql: string;
  idColumn: string;
  /** format_type() of the id column, e.g. bigint, integer, uuid, text. */
  idType: string;
  textColumn: string;
  /** The role may lock rows of the table (row locks need UPDATE on a column): see target/stage-table.ts. */
  lockable: boolean;
}

const textTypes = new Set(['text', 'character varying', 'character', 'citext', 'name']);

export async function describeSource(
  client: pg.ClientBase,
  table: TableName,
  idColumn: string,
  textColumn: string,
  options: { castText?: boolean } = {},
): Promise<SourceTable> {
  const qualified = quoteTable(table);
  const found = await client.query<{ oid: number; schema: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')`,
    [qualified],
  );
  const row = found.rows[0];
  if (!row) throw new DatabaseError(`table ${qualified} does not exist; check the name and schema`, { code: 'SOURCE' });

  const columns = await client.query<{ name: string; type: string; attnum: number }>(
    `SELECT attname AS name, format_type(atttypid, NULL) AS type, attnum
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attname = ANY($2)`,
    [row.oid, [idColumn, textColumn]],
  );
  const column = (name: string, flag: string) => {
    const match = columns.rows.find((c) => c.name === name);
    if (!match) {
      throw new DatabaseError(`table ${qualified} has no column ${quoteIdentifier(name)}; name the right one with ${flag}`, {
        code: 'SOURCE',
      });
    }
    return match;
  };
  const id = column(idColumn, '--id-column');
  const text = column(textColumn, '--text-column');
  if (!textTypes.has(text.type) && !options.castText) {
    throw new DatabaseError(
      `column ${quoteIdentifier(textColumn)} of ${qualified} is ${text.type}, not text; pick a text column with --text-column, ` +
        'or pass --cast-text to embed its text form',
      { code: 'SOURCE' },
    );
  }
  const readable = await client.query<{ ok: boolean; lockable: boolean }>(
    `SELECT has_column_privilege($1::oid, $2, 'SELECT') AND has_column_privilege($1::oid, $3, 'SELECT') AS ok,
            has_any_column_privilege($1::oid, 'UPDATE') AS lockable`,
    [row.oid, idColumn, textColumn],
  );
  if (!readable.rows[0]!.ok) {
    throw new DatabaseError(`no permission to read ${qualified}; GRANT SELECT ON ${qualified} to this role`, { code: 'SOURCE' });
  }
  const unique = await client.query(
    `SELECT 1 FROM pg_index WHERE indrelid = $1 AND indisunique AND indnkeyatts = 1 AND indkey[0] = $2 AND indpred IS NULL`,
    [row.oid, id.attnum],
  );
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
    textColumn,
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
  const stats = (
    await client.query<{ known: number; unknown_pages: number }>(
      `WITH leaf AS (
         SELECT c.reltuples, c.relpages, pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages
           FROM pg_class c
          WHERE c.relkind <> 'p' AND (c.oid = $1::regclass OR c.oid IN (SELECT relid FROM pg_partition_tree($1::regclass) WHERE isleaf)))
       SELECT coalesce(sum(CASE WHEN reltuples > 0 AND relpages > 0 THEN reltuples / relpages * pages WHEN pages = 0 THEN 0 END), 0)::float8 AS known,
              coalesce(sum(pages) FILTER (WHERE NOT (reltuples > 0 AND relpages > 0) AND pages > 0), 0)::float8 AS unknown_pages
         FROM leaf`,
      [source.sql],
    )
  ).rows[0]!;
  if (stats.unknown_pages === 0) return Math.round(stats.known);
  const sample = (
    await client.query<{ rows: number; pages: number }>(
      `SELECT count(*)::float8 AS rows, count(DISTINCT (tableoid, (ctid::text::point)[0]))::float8 AS pages
         FROM (SELECT tableoid, ctid FROM ${source.sql} LIMIT $1) AS sampled`,
      [sampleRows],
    )
  ).rows[0]!;
  // Fewer rows than asked for: the read reached the end of the table, so this is the count.
  if (sample.rows < sampleRows) return sample.rows;
  return Math.round(stats.known + (sample.rows / sample.pages) * stats.unknown_pages);
}

/** The largest of some ids (of the table's, given none), compared by PostgreSQL in the id column's own type. */
export async function highestId(client: Queryable, source: SourceTable, ids: (string | null)[]): Promise<string | null> {
  if (ids.length === 0) {
    const id = `src.${quoteIdentifier(source.idColumn)}`;
    const result = await client.query<{ id: string }>(`SELECT ${id}::text AS id FROM ${source.sql} AS src ORDER BY ${id} DESC LIMIT 1`);
    return result.rows[0]?.id ?? null;
  }
  const present = ids.filter((id): id is string => id !== null);
  if (present.length === 0) return null;
  // ORDER BY rather than max(): not every orderable type (uuid on older servers) has a max aggregate.
  const result = await client.query<{ id: string }>(
    `SELECT v::${source.idType}::text AS id FROM unnest($1::text[]) AS v ORDER BY v::${source.idType} DESC LIMIT 1`,
    [present],
  );
  return result.rows[0]!.id;
}

/** The table's exact row count: a scan of the whole table (embed status), where estimateRows guesses. */
export async function countRows(client: Queryable, source: Pick<SourceTable, 'sql'>): Promise<number> {
  const count = countRowsSql(source.sql);
  return Number((await client.query<{ total: string }>(count.text, count.values)).rows[0]!.total);
}
