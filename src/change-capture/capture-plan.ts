/**
 * How a run finds the rows changed since the last complete pass: only the row versions written since
 * its snapshot (written-since.ts), nothing at all when the table's counters prove nothing was written
 * (table-counters.ts), or, when transaction ids cannot be trusted, every row compared with the target
 * as --refresh does, with one line saying why.
 */
import type { Queryable } from '../db/database.js';
import type { SourceTable } from '../source/source-table.js';
import { nextXid, sameServer, type PassSnapshot } from '../source/pass-snapshot.js';
import { serverClockSql } from './change-capture-sql.js';
import { provenUnchanged, settledSeconds } from '../source/table-counters.js';

export type CapturePlan =
  /** Read the row versions written since `since` that the target does not hold with the same text. */
  | { kind: 'catch-up'; since: PassSnapshot }
  /** Nothing was written to the table since `since`: no row needs reading. */
  | { kind: 'unchanged'; since: PassSnapshot }
  /** Compare every row with the target; `reason` is the line to print. */
  | { kind: 'compare-all'; reason: string };

/**
 * Comparing 32-bit ids by age is exact up to 2^31 transactions; past half of that the last pass is
 * treated as too old to reason about, leaving a wide margin. PostgreSQL's own freezing does not enter
 * into it: a frozen row keeps its xmin.
 */
export const safeAge = 1_000_000_000n;

export interface CaptureOptions {
  /** Transactions after which a snapshot is too old to trust (tests lower it). */
  safeAge?: bigint;
  /** Seconds a backend must have been idle before its statistics count (tests lower it). */
  settledSeconds?: number;
  /** application_name of the run's own sessions, which have not written to the table. */
  ownSessions?: string;
}

export async function planCapture(
  client: Queryable,
  source: SourceTable,
  since: PassSnapshot | undefined,
  options: CaptureOptions = {},
): Promise<CapturePlan> {
  if (since === undefined) {
    return {
      kind: 'compare-all',
      reason: 'no record of which transactions the last complete pass saw; comparing every row with the target once',
    };
  }
  // The next id to be assigned, as pass-snapshot.ts reads it.
  const server = await client.query<{ replica: boolean; xmax: string; age: number; system: string | null }>(serverClockSql().text);
  const { replica, xmax, age: ageOfThree, system } = server.rows[0]!;
  const next = nextXid(BigInt(xmax), BigInt(ageOfThree));
  if (replica) {
    return {
      kind: 'compare-all',
      reason: 'the server is a replica (in recovery): transaction ids are not trusted there; comparing every row with the target',
    };
  }
  if (!sameServer(since, system)) {
    return {
      kind: 'compare-all',
      reason:
        'the last complete pass ran on another server (a restored or upgraded cluster): its transaction ids mean nothing here; comparing every row with the target',
    };
  }
  if (next < BigInt(since.next)) {
    return {
      kind: 'compare-all',
      reason:
        'the server has used fewer transactions than when the last complete pass started (another server, or restored from a dump); comparing every row with the target',
    };
  }
  const age = next - BigInt(since.xmin);
  const limit = options.safeAge ?? safeAge;
  if (age > limit) {
    return {
      kind: 'compare-all',
      reason: `${age.toLocaleString('en-US')} transactions since the last complete pass started (more than ${limit.toLocaleString('en-US')}, too many to compare ids safely); comparing every row with the target`,
    };
  }
  const settled = {
    idleSeconds: options.settledSeconds ?? settledSeconds,
    ...(options.ownSessions !== undefined && { ownSessions: options.ownSessions }),
  };
  if (await provenUnchanged(client, source, since.counters, settled)) return { kind: 'unchanged', since };
  return { kind: 'catch-up', since };
}
