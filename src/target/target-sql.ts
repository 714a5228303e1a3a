/** The target's statements: the side table, column and metrics table, their checks and comment, the input keys it holds. */
import pg from 'pg';
import type { Statement } from '../db/statement.js';

/** Whether the table exists (row `oid` not null). */
export function tableExistsSql(table: string): Statement {
  return { text: 'SELECT to_regclass($1) AS oid', values: [table] };
}

export function dropTableSql(table: string): Statement {
  return { text: `DROP TABLE ${table}` };
}

/** The side table embed creates: one row per source row, removed with it. */
export function createSideTableSql(qualified: string, idType: string, source: string, idColumn: string, wanted: string): Statement {
  return {
    text: `CREATE TABLE ${qualified} (
       id ${idType} PRIMARY KEY REFERENCES ${source} (${idColumn}) ON DELETE CASCADE,
       embedding ${wanted} NOT NULL,
       model text NOT NULL,
       content_hash text NOT NULL,
       embedded_at timestamptz NOT NULL DEFAULT now())`,
  };
}

/** The table's columns with their full types (`name`, `type`). */
export function tableColumnsSql(qualified: string): Statement {
  return {
    text: `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
       FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    values: [qualified],
  };
}

/** A row when the relation exists. */
export function relationExistsSql(qualified: string): Statement {
  return { text: `SELECT 1 WHERE to_regclass($1) IS NOT NULL`, values: [qualified] };
}

/** Whether the role may read, insert and update the side table (`ok`). */
export function sideTablePrivilegesSql(qualified: string): Statement {
  // One privilege per call: given a list, has_table_privilege answers whether any of them is held.
  const privileges = ['SELECT', 'INSERT', 'UPDATE'].map((p) => `has_table_privilege($1, '${p}')`).join(' AND ');
  return { text: `SELECT ${privileges} AS ok`, values: [qualified] };
}

/** Whether the role may update the column of a column target (`ok`). */
export function columnPrivilegeSql(table: string, column: string): Statement {
  return { text: `SELECT has_column_privilege($1, $2, 'UPDATE') AS ok`, values: [table, column] };
}

/** Whether the role may create temporary tables, which the COPY write method stages in (`ok`), in `database`. */
export function tempPrivilegeSql(): Statement {
  return { text: `SELECT has_database_privilege(current_database(), 'TEMP') AS ok, current_database() AS database` };
}

/** The length of one stored array (`n`): a real[] column keeps no dimension in its type. */
export function storedDimensionSql(table: string, column: string): Statement {
  return { text: `SELECT array_length(${column}, 1) AS n FROM ${table} LIMIT 1` };
}

/** A row when the table has the column. */
export function columnExistsSql(table: string, column: string): Statement {
  return {
    text: `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`,
    values: [table, column],
  };
}

export function addColumnSql(table: string, column: string, wanted: string): Statement {
  return { text: `ALTER TABLE ${table} ADD COLUMN ${column} ${wanted}` };
}

/** The column's full type (`type`). */
export function columnTypeSql(table: string, column: string): Statement {
  return {
    text: `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`,
    values: [table, column],
  };
}

/** A table's comment (`comment`). */
export function tableCommentSql(table: string): Statement {
  return { text: `SELECT obj_description(to_regclass($1), 'pg_class') AS comment`, values: [table] };
}

/** A column's comment (`comment`). */
export function columnCommentSql(table: string, column: string): Statement {
  return {
    text: `SELECT col_description(attrelid, attnum) AS comment FROM pg_attribute
            WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`,
    values: [table, column],
  };
}

/** `object` is `TABLE name` or `COLUMN name.column`; `literal` an escaped string literal. */
export function setCommentSql(object: string, literal: string): Statement {
  return { text: `COMMENT ON ${object} IS ${literal}` };
}

/** Whether this role may act as the table's owner (`owns`). */
export function ownsTableSql(table: string): Statement {
  return { text: `SELECT pg_has_role(relowner, 'USAGE') AS owns FROM pg_class WHERE oid = to_regclass($1)`, values: [table] };
}

export function truncateSql(table: string): Statement {
  return { text: `TRUNCATE ${table}` };
}

/** Clears a column target: every vector of the source table set to NULL. */
export function clearColumnSql(table: string, column: string): Statement {
  return { text: `UPDATE ${table} SET ${column} = NULL WHERE ${column} IS NOT NULL` };
}

/** A row when the side table holds any. */
export function anyRowSql(table: string): Statement {
  return { text: `SELECT 1 FROM ${table} LIMIT 1` };
}

/** The model of one row of a side table (`model`). */
export function sampleModelSql(table: string): Statement {
  return { text: `SELECT model FROM ${table} LIMIT 1` };
}

/** A row when the side table has its input_hash column. */
export function inputHashColumnSql(qualified: string): Statement {
  return {
    text: `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'input_hash' AND NOT attisdropped`,
    values: [qualified],
  };
}

export function addInputHashColumnSql(qualified: string): Statement {
  return { text: `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS input_hash bytea` };
}

/** A row when an index leads with input_hash. */
export function inputHashIndexSql(qualified: string): Statement {
  return {
    text: `SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE i.indrelid = to_regclass($1) AND a.attname = 'input_hash'`,
    values: [qualified],
  };
}

export function createInputHashIndexSql(qualified: string): Statement {
  return { text: `CREATE INDEX ON ${qualified} (input_hash)` };
}

/** Whether the server's encoding is UTF-8 (`utf8`) and it has the ICU root collation (`icu`). */
export function textSupportSql(): Statement {
  return {
    text: `SELECT current_setting('server_encoding') = 'UTF8' AS utf8,
            EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu' AND collencoding = -1) AS icu`,
  };
}

/** Sets each measured row's frequency: how many rows share its normalised text. */
export function frequenciesSql(table: string, source: string, id: string, text: string, normalised: string): Statement {
  return {
    text: `UPDATE ${table} AS m SET frequency = f.n
       FROM (SELECT src.${id} AS id, count(*) OVER (PARTITION BY (${normalised}) COLLATE "C") AS n
               FROM ${source} AS src WHERE ${text} IS NOT NULL) AS f
      WHERE m.id = f.id AND m.token_count IS NOT NULL AND m.frequency IS DISTINCT FROM f.n`,
  };
}

/** The metrics table's summary: rows, token percentiles, truncated share, distinct texts, rows not measured. */
export function metricsSummarySql(table: string): Statement {
  return {
    text: `SELECT count(*)::float8 AS rows,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY token_count) AS p50,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY token_count) AS p95,
            max(token_count) AS max,
            coalesce(avg(truncated::int), 0)::float8 AS truncated,
            count(frequency)::float8 AS counted,
            coalesce(round(sum(1.0 / frequency)), 0)::float8 AS distinct_texts,
            (SELECT count(*) FROM ${table} WHERE token_count IS NULL)::float8 AS unmeasured
       FROM ${table} WHERE token_count IS NOT NULL`,
  };
}

/** `additions`: the ADD COLUMN IF NOT EXISTS clauses, comma-separated. */
export function addColumnsSql(qualified: string, additions: string): Statement {
  return { text: `ALTER TABLE ${qualified} ${additions}` };
}

/** The metrics table of --metrics: one row per measured source row. */
export function createMetricsTableSql(qualified: string, idType: string, source: string, idColumn: string): Statement {
  return {
    text: `CREATE TABLE ${qualified} (
           id ${idType} PRIMARY KEY REFERENCES ${source} (${idColumn}) ON DELETE CASCADE,
           token_count integer NOT NULL,
           truncated boolean NOT NULL,
           char_count integer NOT NULL,
           word_count integer NOT NULL,
           frequency integer,
           model text NOT NULL,
           content_hash text NOT NULL,
           measured_at timestamptz NOT NULL DEFAULT now())`,
  };
}

/** The table's column names (`name`). */
export function columnNamesSql(qualified: string): Statement {
  return {
    text: `SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    values: [qualified],
  };
}

/** $1: input keys (bytea[]); returns those the target holds a vector of `label` for, as `key`. */
export function storedInputsSql(qualified: string, label: string): string {
  return `SELECT k.key FROM unnest($1::bytea[]) AS k(key)
     WHERE EXISTS (SELECT 1 FROM ${qualified} AS kept WHERE kept.input_hash = k.key AND kept.model = ${pg.escapeLiteral(label)})`;
}

/** A staged row's embedding, or (staged without one) the stored vector of the same input. */
export function embeddingOrStoredSql(qualified: string, label: string, row: string, cast: string): string {
  return `coalesce(${row}.embedding::${cast}, (SELECT kept.embedding FROM ${qualified} AS kept
       WHERE kept.input_hash = ${row}.input_hash AND kept.model = ${pg.escapeLiteral(label)} LIMIT 1))`;
}
