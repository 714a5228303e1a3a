/** Change capture's own statements (the conditions it adds to a pass's reads are in waiting-rows.ts). */
import type { Statement } from '../db/statement.js';
import { systemIdentifierSql } from '../source/source-sql.js';

/** Whether the server is a replica, the current snapshot's xmax, the age of xid 3, and the server's identifier. */
export function serverClockSql(): Statement {
  return {
    text: `SELECT pg_is_in_recovery() AS replica, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, age('3'::xid) AS age,
            ${systemIdentifierSql} AS system`,
  };
}
