/**
 * The rows a catch-up pass reads, as one SQL condition, and the same condition counted by kind: the
 * run decides from it whether there is anything to read, `embed status` reports it as the rows waiting.
 */
import type { Queryable } from '../db/database.js';
import type { SourceTable } from '../source/source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { TargetInfo, TargetRef } from '../target/target-table.js';
import type { PassSnapshot } from '../source/pass-snapshot.js';
import type { RowKind } from '../source/row-values.js';
import { rowKindSql, writtenSinceSql } from './written-since.js';

export type WaitingRows = Record<RowKind, number>;

/** Condition on `src`: written since the snapshot, and not held by the target with the same text. */
export function catchUpSql(target: TargetInfo, since: PassSnapshot): string {
  return `${writtenSinceSql(since)} AND (${target.pendingSql})`;
}

/** Condition on `src`: the target holds a vector for the row, whatever its text. */
export function holdsVectorSql(source: SourceTable, ref: TargetRef): string {
  if (ref.kind === 'column') return `src.${quoteIdentifier(ref.column)} IS NOT NULL`;
  // A scalar subquery, not EXISTS, which the planner may turn into a hashed scan of the whole target.
  // LIMIT 1: a chunk table holds several rows per id.
  return `(SELECT true FROM ${ref.table} AS done WHERE done.id = src.${quoteIdentifier(source.idColumn)} LIMIT 1) IS NOT NULL`;
}

/** The kind of a row read by a catch-up pass (see written-since.ts); rows of other passes are new or changed. */
export function readKindSql(source: SourceTable, target: TargetInfo, since: PassSnapshot | undefined): string {
  const holds = holdsVectorSql(source, target.ref);
  return since === undefined ? `CASE WHEN ${holds} THEN 'changed' ELSE 'new' END` : rowKindSql(since, holds);
}

/** Removes the vectors of texts emptied since the snapshot (a catch-up pass skips blank rows). */
export function clearBlankSinceSql(source: SourceTable, target: TargetInfo, since: PassSnapshot): string {
  const blankSince = `${blankTextSql(source)} AND ${writtenSinceSql(since)}`;
  if (target.ref.kind === 'column') {
    const column = quoteIdentifier(target.ref.column);
    return `UPDATE ${source.sql} AS src SET ${column} = NULL WHERE src.${column} IS NOT NULL AND ${blankSince}`;
  }
  // The ids first (one pass over the source), then primary-key probes: the target is never scanned.
  return `DELETE FROM ${target.ref.table} AS done
           WHERE done.id = ANY (ARRAY(SELECT src.${quoteIdentifier(source.idColumn)} FROM ${source.sql} AS src WHERE ${blankSince}))`;
}

/**
 * Removes the vectors of texts emptied since the snapshot and counts, by kind, the rows a catch-up pass
 * from it will embed: countWaiting's answer after clearBlankSinceSql, from one statement (side tables
 * only). One scan of the source picks the rows written since; the blank ones give the ids to delete, the
 * others are counted. The count reads the target as it was before the delete, which only blank rows
 * could see differently, and those are not counted (their vector is gone once the statement commits).
 */
export async function clearBlankAndCount(
  client: Queryable,
  source: SourceTable,
  target: TargetInfo,
  since: PassSnapshot,
): Promise<{ counts: WaitingRows; ids?: string[] }> {
  if (target.ref.kind === 'column')
    throw new Error('clearBlankAndCount needs a side table: a column target clears with an UPDATE of the source');
  const blank = blankTextSql(source);
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const result = await client.query<{ kind: RowKind | null; n: string; ids: string[] | null }>(
    `WITH written AS MATERIALIZED (
       SELECT ${id} AS id, CASE WHEN ${blank} THEN NULL ELSE ${readKindSql(source, target, since)} END AS kind
         FROM ${source.sql} AS src
        WHERE ${writtenSinceSql(since)} AND (${blank} OR (${target.pendingSql}))
     ), cleared AS (
       DELETE FROM ${target.ref.table} AS done WHERE done.id = ANY (ARRAY(SELECT id FROM written WHERE kind IS NULL))
     )
     SELECT kind, count(*) AS n,
            (SELECT CASE WHEN count(*) <= ${idsListedUpTo} THEN array_agg(id::text ORDER BY id) END FROM written WHERE kind IS NOT NULL) AS ids
       FROM written WHERE kind IS NOT NULL GROUP BY kind`,
  );
  const ids = result.rows[0]?.ids ?? undefined;
  return { counts: kindCounts(result.rows), ...(ids && { ids }) };
}

/**
 * Up to this many rows waiting, the count also lists their ids, and the pass reads them through the
 * primary key: a watcher's look that finds a few rows in a large table then scans it once, not twice.
 * Past it, probing the index row by row would cost more than walking the table.
 */
export const idsListedUpTo = 10_000;

function blankTextSql(source: SourceTable): string {
  const text = source.textSql('src');
  return `(${text} IS NULL OR ${text}::text ~ '^[[:space:]]*$')`;
}

/**
 * Rows a catch-up pass from `since` would embed (or whose vector it would remove), by kind. Blank rows
 * the target holds nothing for are left out: the pass reads them but has nothing to do with them.
 * `within` narrows it to what a pass in progress has yet to read.
 */
export async function countWaiting(
  client: Queryable,
  source: SourceTable,
  target: TargetInfo,
  since: PassSnapshot,
  within: { where: string; params: string[] } = { where: 'true', params: [] },
): Promise<WaitingRows> {
  const where = `(${within.where}) AND ${catchUpSql(target, since)} AND (NOT ${blankTextSql(source)} OR ${holdsVectorSql(source, target.ref)})`;
  return countKinds(client, source, readKindSql(source, target, since), { where, params: within.params });
}

/** Rows of the source meeting `where`, counted by the kind `kindSql` gives each. */
export async function countKinds(
  client: Queryable,
  source: SourceTable,
  kindSql: string,
  where: { where: string; params: string[] },
): Promise<WaitingRows> {
  const result = await client.query<{ kind: RowKind; n: string }>(
    `SELECT kind, count(*) AS n FROM (SELECT ${kindSql} AS kind FROM ${source.sql} AS src WHERE ${where.where}) AS waiting GROUP BY kind`,
    where.params,
  );
  return kindCounts(result.rows);
}

function kindCounts(rows: { kind: RowKind | null; n: string }[]): WaitingRows {
  const counts: WaitingRows = { new: 0, late: 0, changed: 0 };
  for (const row of rows) if (row.kind !== null) counts[row.kind] = Number(row.n);
  return counts;
}
