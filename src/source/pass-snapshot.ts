/**
 * What a pass records about the moment it started, before it read a row: pg_current_snapshot()'s xmin,
 * the next transaction id to be assigned (64-bit ids, as decimal text) and the source table's write
 * counters. Once the
 * pass completes, every row version committed by a transaction that snapshot could see has been read
 * (the pass's reads all start later), so the next run needs to look only at row versions written by
 * transactions from xmin on (see written-since.ts).
 */
import type { Queryable } from '../db/database.js';
import type { SourceTable } from './source-table.js';
import { readCounters, type TableCounters } from './table-counters.js';
import { currentSnapshotSql } from './source-sql.js';

export interface PassSnapshot {
  /** Every transaction below this one had finished (committed and visible, or rolled back). */
  xmin: string;
  /**
   * The first transaction id not yet assigned: transactions below it had started (rows they commit later
   * are late), those from it on started after the pass did. Not the snapshot's xmax, which can be lower
   * than the id of a transaction that is running.
   */
  next: string;
  /** The source's counters read just after the snapshot; absent when the statistics are off or hidden. */
  counters?: TableCounters;
  /** pg_control_system()'s system identifier, where this role may read it: transaction ids mean nothing on another server. */
  system?: string;
}

/**
 * Takes the snapshot of a pass about to start, or says why none can be trusted: on a replica the
 * transaction ids come from the primary's stream, so passes there are not recorded (see capture-plan.ts).
 */
export async function takePassSnapshot(client: Queryable, source: SourceTable): Promise<PassSnapshot | undefined> {
  // The statement's snapshot is taken before it runs; age() measures from the next id to be assigned
  // (the session has none of its own), read as it runs, so after the snapshot. The counters come later still.
  const result = await client.query<{ xmin: string; xmax: string; age: number; replica: boolean; system: string | null }>(
    currentSnapshotSql().text,
  );
  const row = result.rows[0]!;
  if (row.replica) return undefined;
  const counters = await readCounters(client, source);
  return {
    xmin: row.xmin,
    next: nextXid(BigInt(row.xmax), BigInt(row.age)).toString(),
    ...(counters && { counters }),
    ...(row.system !== null && { system: row.system }),
  };
}

/** Seen by a snapshot's reader: the server it was taken on. */
export function sameServer(snapshot: PassSnapshot, system: string | null): boolean {
  return snapshot.system === undefined || system === null || snapshot.system === system;
}

const xidRange = 2n ** 32n;

/** The 64-bit id whose low 32 bits are 3 + age, at or above xmax (ids are only ever assigned upwards). */
export function nextXid(xmax: bigint, ageOfThree: bigint): bigint {
  const next32 = (((3n + ageOfThree) % xidRange) + xidRange) % xidRange;
  return xmax + ((((next32 - (xmax % xidRange)) % xidRange) + xidRange) % xidRange);
}

/** For the state file and the target's comment. */
export function formatSnapshot(snapshot: PassSnapshot): string {
  return JSON.stringify(snapshot);
}

export function parseSnapshot(text: string | null | undefined): PassSnapshot | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    return snapshotFrom(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** A snapshot read back from JSON, or undefined when it is not one (a hand-edited comment). */
export function snapshotFrom(value: unknown): PassSnapshot | undefined {
  const candidate = value as Partial<PassSnapshot> | null;
  if (candidate === null || typeof candidate !== 'object') return undefined;
  if (!isXid8(candidate.xmin) || !isXid8(candidate.next)) return undefined;
  const counters = candidate.counters;
  const system = typeof candidate.system === 'string' && /^\d{1,20}$/.test(candidate.system) ? candidate.system : undefined;
  return { xmin: candidate.xmin, next: candidate.next, ...(isCounters(counters) && { counters }), ...(system !== undefined && { system }) };
}

function isXid8(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value);
}

function isCounters(value: unknown): value is TableCounters {
  if (value === null || typeof value !== 'object') return false;
  const counters = value as Record<string, unknown>;
  const count = (key: string) => typeof counters[key] === 'string' && /^\d{1,20}$/.test(counters[key] as string);
  const time = (key: string) => counters[key] === null || typeof counters[key] === 'string';
  return count('inserted') && count('updated') && count('deleted') && time('databaseReset') && time('serverReset');
}
