/** The source's statements: the table and its columns in the catalog, its size, its ids. */
import type { Statement } from '../db/statement.js';
import { quoteIdentifier } from '../db/table-name.js';

/** An ordinary or partitioned table (rows `oid`, `schema`), none when there is no such table. */
export function tableLookupSql(table: string): Statement {
  return {
    text: `SELECT c.oid::int AS oid, n.nspname AS schema
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')`,
    values: [table],
  };
}

/** The named columns of a table: `name`, `type` (without modifiers), `attnum`. */
export function columnTypesSql(tableOid: number, columns: string[]): Statement {
  return {
    text: `SELECT attname AS name, format_type(atttypid, NULL) AS type, attnum
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attname = ANY($2)`,
    values: [tableOid, columns],
  };
}

/** Whether this role reads every column named (`ok`) and may lock rows (`lockable`). */
export function privilegesSql(tableOid: number, columns: string[]): Statement {
  return {
    text: `SELECT (SELECT bool_and(has_column_privilege($1::oid, c, 'SELECT')) FROM unnest($2::text[]) AS c) AS ok,
            has_any_column_privilege($1::oid, 'UPDATE') AS lockable`,
    values: [tableOid, columns],
  };
}

/** Every column of a table (row `name`), in the table's order. */
export function tableColumnsSql(tableOid: number): Statement {
  return {
    text: `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    values: [tableOid],
  };
}

/**
 * A template's text as one expression on the row `alias` (source/source-text.ts): its literals and its
 * columns' text forms, a NULL column as empty; NULL when every column is NULL or whitespace only, so such
 * a row is blank whatever literals surround its columns.
 */
export function renderedTextSql(alias: string, parts: readonly ({ literal: string } | { column: string })[]): string {
  const textOf = (column: string) => `coalesce(${alias}.${quoteIdentifier(column)}::text, '')`;
  const rendered = parts.map((part) => ('column' in part ? textOf(part.column) : stringLiteral(part.literal))).join(' || ');
  const columns = [...new Set(parts.flatMap((part) => ('column' in part ? [part.column] : [])))];
  return `(CASE WHEN (${columns.map(textOf).join(' || ')}) ~ '^[[:space:]]*$' THEN NULL ELSE ${rendered} END)`;
}

/** Characters a string constant spells with a backslash. */
const escapedChars: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** A string constant: E'' with escapes when it holds a backslash, a quote or a control character, so the statement stays on its lines. */
function stringLiteral(text: string): string {
  let escaped = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    escaped += escapedChars[char] ?? (code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : char);
  }
  return escaped === text ? `'${text}'` : `E'${escaped}'`;
}

/** A row when the column alone has a unique index (a primary key or unique, without predicate). */
export function uniqueIndexSql(tableOid: number, attnum: number): Statement {
  return {
    text: `SELECT 1 FROM pg_index WHERE indrelid = $1 AND indisunique AND indnkeyatts = 1 AND indkey[0] = $2 AND indpred IS NULL`,
    values: [tableOid, attnum],
  };
}

/** Rows known from statistics (`known`), and the pages of leaves without statistics (`unknown_pages`). */
export function rowEstimateSql(table: string): Statement {
  return {
    text: `WITH leaf AS (
         SELECT c.reltuples, c.relpages, pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages
           FROM pg_class c
          WHERE c.relkind <> 'p' AND (c.oid = $1::regclass OR c.oid IN (SELECT relid FROM pg_partition_tree($1::regclass) WHERE isleaf)))
       SELECT coalesce(sum(CASE WHEN reltuples > 0 AND relpages > 0 THEN reltuples / relpages * pages WHEN pages = 0 THEN 0 END), 0)::float8 AS known,
              coalesce(sum(pages) FILTER (WHERE NOT (reltuples > 0 AND relpages > 0) AND pages > 0), 0)::float8 AS unknown_pages
         FROM leaf`,
    values: [table],
  };
}

/** The rows and pages a bounded read of the table sees. */
export function rowSampleSql(table: string, sampleRows: number): Statement {
  return {
    text: `SELECT count(*)::float8 AS rows, count(DISTINCT (tableoid, (ctid::text::point)[0]))::float8 AS pages
         FROM (SELECT tableoid, ctid FROM ${table} LIMIT $1) AS sampled`,
    values: [sampleRows],
  };
}

/** The table's last id (row `id`), none when it is empty; `id` is the id column on `src`. */
export function lastIdSql(table: string, id: string): Statement {
  return { text: `SELECT ${id}::text AS id FROM ${table} AS src ORDER BY ${id} DESC LIMIT 1` };
}

/** The largest of some ids, compared in the id column's own type. */
export function highestOfSql(idType: string, ids: string[]): Statement {
  return {
    text: `SELECT v::${idType}::text AS id FROM unnest($1::text[]) AS v ORDER BY v::${idType} DESC LIMIT 1`,
    values: [ids],
  };
}

/** The table's exact row count (row `total`): a scan of the whole table. */
export function countRowsSql(table: string): Statement {
  return { text: `SELECT count(*) AS total FROM ${table}` };
}

/**
 * Whether this session may ask its backend to share its pending statistics counts at once (row `can`):
 * pg_stat_force_next_flush() is PostgreSQL 15's and later.
 */
export const canShareCountsSql = `SELECT coalesce(has_function_privilege(to_regprocedure('pg_catalog.pg_stat_force_next_flush()'), 'EXECUTE'), false) AS can`;

/** Has the backend share its pending counts when this statement ends, ahead of its once-a-second pace. */
export const shareCountsSql = 'SELECT pg_catalog.pg_stat_force_next_flush()';

/** The table's write counters and their reset times, whether the server counts (`counting`), and whether the table has children. */
export function tableCountersSql(table: string): Statement {
  return {
    text: `SELECT current_setting('track_counts')::boolean AS counting,
            c.relkind = 'p' OR EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = c.oid) AS children,
            t.n_tup_ins::text AS inserted, t.n_tup_upd::text AS updated, t.n_tup_del::text AS deleted,
            (SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()) AS "databaseReset",
            (SELECT stats_reset::text FROM pg_stat_wal) AS "serverReset"
       FROM pg_class c LEFT JOIN pg_stat_user_tables t ON t.relid = c.oid
      WHERE c.oid = to_regclass($1)`,
    values: [table],
  };
}

/** Backends of this database (not ours, not `ownSessions`) that may still hold counts they have not shared (row `n`). */
export function unsettledBackendsSql(idleSeconds: number, ownSessions: string | null): Statement {
  return {
    text: `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $2
        AND backend_type NOT IN ('autovacuum worker', 'walsender')
        AND (state IS DISTINCT FROM 'idle' OR state_change IS NULL OR state_change > clock_timestamp() - make_interval(secs => $1))`,
    values: [idleSeconds, ownSessions],
  };
}

/** The server's system identifier, or NULL where the role may not call pg_control_system(): an expression. */
export const systemIdentifierSql = `CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE')
       THEN (SELECT system_identifier::text FROM pg_control_system()) END`;

/** The current snapshot's xmin and xmax, the age of xid 3 (the next id to be assigned), whether on a replica, the server. */
export function currentSnapshotSql(): Statement {
  return {
    text: `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax, age('3'::xid) AS age,
            pg_is_in_recovery() AS replica, ${systemIdentifierSql} AS system
       FROM pg_current_snapshot() AS s`,
  };
}

/** Rows by id (`id`, `text`: expressions on `src`), in id order. */
export function rowsByIdSql(table: string, id: string, text: string, idType: string, ids: string[]): Statement {
  return {
    text: `SELECT ${id}::text AS id, ${text}::text AS text FROM ${table} AS src
        WHERE ${id} = ANY($1::${idType}[]) ORDER BY ${id}`,
    values: [ids],
  };
}

/**
 * One keyset page: the select list's extra columns (`extra`: kind, commit time) and the condition are built
 * by the reader. At most `pageSize` rows, and no row past the one that brings the page's text to `pageBytes`
 * bytes: `octet_length` reads a stored text's size without fetching it, so a text left out is never read.
 * Each row also has `"bytesThrough"` (the page's text bytes up to it) and `"pageRow"` (its place), for the reader.
 */
export function keysetPageSql(
  table: string,
  id: string,
  text: string,
  extra: string,
  where: string,
  pageSize: number,
  pageBytes: number,
  values: unknown[],
): Statement {
  return {
    text: `SELECT * FROM (
        SELECT ${id}::text AS id, ${text}::text AS text${extra},
               sum(coalesce(octet_length(${text}::text), 0)) OVER (ORDER BY ${id} ROWS UNBOUNDED PRECEDING) AS "bytesThrough",
               row_number() OVER (ORDER BY ${id}) AS "pageRow"
          FROM ${table} AS src WHERE ${where} ORDER BY ${id} LIMIT ${pageSize}
        ) AS page
      WHERE page."bytesThrough" - coalesce(octet_length(page.text), 0) < ${pageBytes} ORDER BY page."pageRow"`,
    values,
  };
}

/** The schema of a table named through the search path (`schema`), none when there is no such table. */
export function tableSchemaSql(table: string): Statement {
  return {
    text: `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
    values: [table],
  };
}
