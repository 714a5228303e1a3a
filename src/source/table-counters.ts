/**
 * The cheap first test of a run: PostgreSQL's cumulative statistics count the rows each table had
 * inserted, updated and deleted. When those counts are what they were when the last complete pass
 * started, no change was committed since and the run need not look at a single row, but only when that
 * can be proven, since the counts lag:
 *
 * - A backend keeps its counts to itself and adds them to the shared ones lazily after commit, at most
 *   once a second while busy; an idle backend does it when it has been idle for ten seconds. A commit
 *   whose counts are not shared yet is therefore only possible in a backend of this database that is not
 *   idle, or became idle less than `settledSeconds` ago: the skip requires that there is none (the
 *   run's own sessions aside: they have not written to the table).
 * - Counts can be reset (one table, the database: both set the database's stats_reset) or discarded
 *   (after a crash or an immediate shutdown, which also sets the server-wide pg_stat_wal.stats_reset):
 *   both timestamps must be unchanged.
 * - With statistics off (track_counts), on a partitioned table or one with inheritance children (whose
 *   rows are counted on each child), no counts are recorded and every run looks at the rows.
 */
import type { Queryable } from '../db/database.js';
import type { SourceTable } from './source-table.js';

export interface TableCounters {
  inserted: string;
  updated: string;
  deleted: string;
  /** pg_stat_database.stats_reset of the database. */
  databaseReset: string | null;
  /** pg_stat_wal.stats_reset: moves when the server discards its statistics after a crash. */
  serverReset: string | null;
}

/** Seconds a backend must have been idle for its counts to be shared: PostgreSQL's idle flush (10 s), plus margin. */
export const settledSeconds = 15;

/** The source's counters, or undefined when they cannot vouch for the table (see above). */
export async function readCounters(client: Queryable, source: SourceTable): Promise<TableCounters | undefined> {
  const result = await client.query<TableCounters & { counting: boolean; children: boolean }>(
    `SELECT current_setting('track_counts')::boolean AS counting,
            c.relkind = 'p' OR EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = c.oid) AS children,
            t.n_tup_ins::text AS inserted, t.n_tup_upd::text AS updated, t.n_tup_del::text AS deleted,
            (SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()) AS "databaseReset",
            (SELECT stats_reset::text FROM pg_stat_wal) AS "serverReset"
       FROM pg_class c LEFT JOIN pg_stat_user_tables t ON t.relid = c.oid
      WHERE c.oid = to_regclass($1)`,
    [source.sql],
  );
  const row = result.rows[0];
  if (!row || !row.counting || row.children || row.inserted === null) return undefined;
  return { inserted: row.inserted, updated: row.updated, deleted: row.deleted, databaseReset: row.databaseReset, serverReset: row.serverReset };
}

/**
 * True only when the counters prove that nothing was written to the table since `recorded` was read:
 * the same counts and reset times, and no backend of this database that could still hold counts of its own.
 */
export async function provenUnchanged(
  client: Queryable,
  source: SourceTable,
  recorded: TableCounters | undefined,
  options: { idleSeconds?: number; ownSessions?: string } = {},
): Promise<boolean> {
  if (recorded === undefined) return false;
  const now = await readCounters(client, source);
  if (now === undefined || !sameCounters(now, recorded)) return false;
  const unsettled = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $2
        AND backend_type NOT IN ('autovacuum worker', 'walsender')
        AND (state IS DISTINCT FROM 'idle' OR state_change IS NULL OR state_change > clock_timestamp() - make_interval(secs => $1))`,
    [options.idleSeconds ?? settledSeconds, options.ownSessions ?? null],
  );
  return Number(unsettled.rows[0]!.n) === 0;
}

function sameCounters(a: TableCounters, b: TableCounters): boolean {
  return (
    a.inserted === b.inserted &&
    a.updated === b.updated &&
    a.deleted === b.deleted &&
    a.databaseReset === b.databaseReset &&
    a.serverReset === b.serverReset
  );
}
