/** The source's statements (being gathered here from the files of source/). */
import type { Statement } from '../db/statement.js';

/** The table's exact row count (row `total`): a scan of the whole table. */
export function countRowsSql(table: string): Statement {
  return { text: `SELECT count(*) AS total FROM ${table}` };
}
