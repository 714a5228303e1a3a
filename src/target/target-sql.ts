/** The target's statements (being gathered here from the files of target/). */
import type { Statement } from '../db/statement.js';

/** Whether the table exists (row `oid` not null). */
export function tableExistsSql(table: string): Statement {
  return { text: 'SELECT to_regclass($1) AS oid', values: [table] };
}

export function dropTableSql(table: string): Statement {
  return { text: `DROP TABLE ${table}` };
}
