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
 *   run's own sessions aside: they have not written to the table). Where one backend serves every
 *   connection (PGlite over a socket), the run's session is the writers' too and holds their counts:
 *   the run has it share them before it reads (outside a transaction, where that takes effect).
 * - Counts can be reset (one table, the database: both set the database's stats_reset) or discarded
 *   (after a crash or an immediate shutdown, which also sets the server-wide pg_stat_wal.stats_reset):
 *   both timestamps must be unchanged.
 * - With statistics off (track_counts), on a partitioned table or one with inheritance children (whose
 *   rows are counted on each child), no counts are recorded and every run looks at the rows.
 */
import type { Queryable } from '../db/database.js';
import type { SourceTable } from './source-table.js';
import { canShareCountsSql, shareCountsSql, tableCountersSql, unsettledBackendsSql } from './source-sql.js';

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
  await shareOwnCounts(client);
  const counters = tableCountersSql(source.sql);
  const result = await client.query<TableCounters & { counting: boolean; children: boolean }>(counters.text, counters.values);
  const row = result.rows[0];
  if (!row?.counting || row.children || row.inserted === null) return undefined;
  return {
    inserted: row.inserted,
    updated: row.updated,
    deleted: row.deleted,
    databaseReset: row.databaseReset,
    serverReset: row.serverReset,
  };
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
  const backends = unsettledBackendsSql(options.idleSeconds ?? settledSeconds, options.ownSessions ?? null);
  const unsettled = await client.query<{ n: string }>(backends.text, backends.values);
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

/**
 * The counts this session's backend holds, shared before the next statement reads any: a backend shares
 * them when it goes idle outside a transaction, so inside one (a distributed pass's planning, which
 * single-backend servers are refused: its sessions' statements would interleave) this changes nothing.
 * On a server of its own a run's session has written nothing and this changes nothing either; where it
 * cannot be asked (before PostgreSQL 15, or not allowed), the proof stands on the idle sessions alone,
 * as it always did there.
 */
async function shareOwnCounts(client: Queryable): Promise<void> {
  // Asked at every read, not remembered per client: a right revoked since would otherwise fail the read.
  const allowed = await client.query<{ can: boolean }>(canShareCountsSql);
  if (allowed.rows[0]?.can) await client.query(shareCountsSql);
}
