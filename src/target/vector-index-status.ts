/** What embed status says of a target's vector index: ours or the user's, valid, invalid, or being built and how far. */
import type pg from 'pg';
import type { TargetRef } from './target-table.js';
import { vectorColumn, vectorIndexName, type IndexProgress } from './vector-index.js';
import { buildsRunningSql, columnIndexesSql, relationNameSql } from './vector-index-sql.js';
import { columnTypeSql } from './target-sql.js';

export interface VectorIndexStatus {
  /** The vector column's type as format_type names it (vector(384), halfvec(384), real[]), null when missing. */
  columnType: string | null;
  /** The index on the column (ours when there are several), or null. */
  name: string | null;
  method: string | null;
  /** Built by embed (its name), not one of the user's own. */
  ours: boolean;
  state: 'valid' | 'invalid' | 'building' | 'none';
  /** While a build runs on the table: its phase and how far it is. */
  progress: IndexProgress | null;
}

export async function vectorIndexStatus(client: pg.ClientBase, ref: TargetRef): Promise<VectorIndexStatus> {
  const where = vectorColumn(ref);
  const relationName = relationNameSql(where.table);
  const relation = (await client.query<{ name: string }>(relationName.text, relationName.values)).rows[0];
  const typed = columnTypeSql(where.table, where.column);
  const columnType = (await client.query<{ type: string }>(typed.text, typed.values)).rows[0]?.type ?? null;
  const none: VectorIndexStatus = { columnType, name: null, method: null, ours: false, state: 'none', progress: null };
  if (relation === undefined) return none;
  const ourName = vectorIndexName(relation.name, where.column);
  const listed = columnIndexesSql(where.table, where.column);
  const indexes = (await client.query<{ name: string; method: string; valid: boolean }>(listed.text, listed.values)).rows;
  const builds = buildsRunningSql(where.table);
  const build = (await client.query<IndexProgress & { index: string }>(builds.text, builds.values)).rows[0];
  const index = indexes.find((found) => found.name === ourName) ?? indexes[0];
  if (index === undefined) return none;
  const building = build !== undefined && !index.valid;
  return {
    columnType,
    name: index.name,
    method: index.method,
    ours: index.name === ourName,
    state: building ? 'building' : index.valid ? 'valid' : 'invalid',
    progress: building ? { phase: build.phase, done: build.done, total: build.total } : null,
  };
}

/** One line: `index: ...`. */
export function describeIndexStatus(status: VectorIndexStatus): string {
  if (status.state === 'none' || status.name === null) {
    if (status.columnType === 'real[]')
      return 'none: real[] takes no vector index (CREATE EXTENSION vector before embedding into a new target)';
    return `none on ${status.columnType ?? 'the column'} (a run builds one once a pass completes, unless --index none)`;
  }
  const whose = status.ours ? '' : " (the user's own: embed builds none)";
  const what = `${status.name} (${status.method})${whose}`;
  if (status.state === 'valid') return `${what}, valid`;
  if (status.state === 'invalid') return `${what}, invalid (a build that stopped half way; the next run drops it and builds it again)`;
  const progress = status.progress;
  const percent = progress && progress.total > 0 ? `, ${Math.floor((100 * progress.done) / progress.total)}%` : '';
  return `${what}, being built (${progress?.phase ?? 'starting'}${percent})`;
}
