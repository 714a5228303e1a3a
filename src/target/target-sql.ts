/** The target's statements (being gathered here from the files of target/). */
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

/** Whether the role may create temporary tables, which the COPY write method stages in (`ok`). */
export function tempPrivilegeSql(): Statement {
  return { text: `SELECT has_database_privilege(current_database(), 'TEMP') AS ok` };
}

/** The length of one stored array (`n`): a real[] column keeps no dimension in its type. */
export function storedDimensionSql(table: string, column: string): Statement {
  return { text: `SELECT array_length(${column}, 1) AS n FROM ${table} LIMIT 1` };
}

/** A row when the table has the column. */
export function columnExistsSql(table: string, column: string): Statement {
  return { text: `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`, values: [table, column] };
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
