/**
 * The vector index of a pgvector target, built once a pass has completed: on a full table the build is
 * much faster than keeping an index up to date through the backfill. CREATE INDEX CONCURRENTLY takes no
 * lock that stops writes, so a watcher's inserts go on meanwhile. The index is ours by its name
 * (`embed_ann_<table>_<column>`); an invalid one of ours (a build killed half way) is dropped and built
 * again; an index of the user's own on the column is left alone. One process builds at a time (a session
 * advisory lock), so a watcher and a run, or the hosts of a distributed job, never build it twice.
 */
import type pg from 'pg';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { DatabaseError } from '../../common/errors.js';
import type { IndexKind, VectorType } from '../config/index-options.js';
import type { ColumnStorage } from './vector-storage.js';
import { connect } from '../db/database.js';
import { setConfigSql } from '../db/db-sql.js';
import type { Statement } from '../db/statement.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { TargetRef } from './target-table.js';
import {
  backendPidSql,
  buildsRunningSql,
  cancelBackendSql,
  columnIndexesSql,
  createIndexSql,
  dropIndexSql,
  relationNameSql,
  tryBuildLockSql,
  unlockBuildSql,
  vectorRowsSql,
} from './vector-index-sql.js';

/** The operator class of the cosine distance `<=>`, which embed search orders by (search/nearest-sql.ts). */
const cosineOps: Record<VectorType, string> = { vector: 'vector_cosine_ops', halfvec: 'halfvec_cosine_ops' };

const run = <R extends pg.QueryResultRow>(client: pg.ClientBase, statement: Statement) => client.query<R>(statement.text, statement.values);

/** Where the vectors are: the side table's embedding column, or the source's own column. */
export function vectorColumn(ref: TargetRef): { table: string; column: string } {
  return ref.kind === 'table' ? { table: ref.table, column: 'embedding' } : { table: ref.table, column: ref.column };
}

/** Our index's name, within PostgreSQL's 63 bytes; the prefix says whose it is even when the rest is cut. */
export function vectorIndexName(table: string, column: string): string {
  let name = `embed_ann_${table}_${column}`;
  while (Buffer.byteLength(name) > 63) name = name.slice(0, -1);
  return name;
}

export interface IndexProgress {
  phase: string;
  /** In the phase's unit (blocks or tuples); total 0 when the phase counts nothing. */
  done: number;
  total: number;
}

export type IndexOutcome =
  | { kind: 'built'; name: string; method: IndexKind; seconds: number; rebuilt: boolean }
  | { kind: 'present'; name: string; method: string }
  /** An index of the user's own on the column: none of ours is built. */
  | { kind: 'foreign'; name: string; method: string }
  /** Another session builds an index on the table now. */
  | { kind: 'busy'; name: string }
  | { kind: 'cancelled'; name: string };

export interface IndexBuildRequest {
  ref: TargetRef;
  storage: ColumnStorage;
  kind: IndexKind;
  maintenanceWorkMem?: string;
  onProgress?: (progress: IndexProgress) => void;
  /** How often the build's progress is read, from another session (default 1 s). */
  pollMs?: number;
}

export interface IndexBuild {
  done: Promise<IndexOutcome | undefined>;
  /** Cancels a build under way (it leaves an invalid index, which the next run drops and builds again). */
  cancel(): Promise<void>;
}

/** Starts the build, unless there is nothing to build; `done` is undefined for --index none or real[]. */
export function startIndexBuild(connection: ConnectionConfig, request: IndexBuildRequest): IndexBuild {
  if (request.kind === 'none' || request.storage === 'real[]') return { done: Promise.resolve(undefined), cancel: async () => undefined };
  let buildPid: number | undefined;
  let cancelled = false;
  let watcher: pg.Client | undefined;
  const done = (async () => {
    const client = await connect(connection);
    try {
      return await buildIndex(client, request, {
        started: async (pid) => {
          buildPid = pid;
          watcher = await connect(connection);
        },
        watcher: () => watcher,
        cancelled: () => cancelled,
      });
    } finally {
      await client.end().catch(() => undefined);
      await watcher?.end().catch(() => undefined);
    }
  })();
  return {
    done,
    async cancel() {
      cancelled = true;
      if (buildPid !== undefined && watcher !== undefined) await run(watcher, cancelBackendSql(buildPid)).catch(() => undefined);
    },
  };
}

interface BuildHooks {
  started(pid: number): Promise<void>;
  watcher(): pg.Client | undefined;
  cancelled(): boolean;
}

async function buildIndex(client: pg.Client, request: IndexBuildRequest, hooks: BuildHooks): Promise<IndexOutcome> {
  const where = vectorColumn(request.ref);
  const relation = (await run<{ schema: string; name: string }>(client, relationNameSql(where.table))).rows[0];
  if (relation === undefined) throw new DatabaseError(`cannot index ${where.table}: the table is gone`, { code: 'TARGET' });
  const name = vectorIndexName(relation.name, where.column);
  const qualifiedName = `${quoteIdentifier(relation.schema)}.${quoteIdentifier(name)}`;
  const found = await columnIndexes(client, where.table, where.column);
  const foreign = found.find((index) => index.name !== name);
  if (foreign) return { kind: 'foreign', name: foreign.name, method: foreign.method };
  const ours = found.find((index) => index.name === name);
  if (ours?.valid) return { kind: 'present', name, method: ours.method };
  if (!(await run<{ locked: boolean }>(client, tryBuildLockSql(name))).rows[0]!.locked) return { kind: 'busy', name };
  try {
    const pid = (await run<{ pid: number }>(client, backendPidSql())).rows[0]!.pid;
    // A build of anyone's on the table: an invalid index of ours may be one still being built.
    const running = await run<{ pid: number }>(client, buildsRunningSql(where.table));
    if (running.rows.some((build) => build.pid !== pid)) return { kind: 'busy', name };
    // Looked at again under the lock: another process may have finished it meanwhile.
    const again = (await columnIndexes(client, where.table, where.column)).find((index) => index.name === name);
    if (again?.valid) return { kind: 'present', name, method: again.method };
    if (again !== undefined) await run(client, dropIndexSql(qualifiedName));
    // The build may run far longer than a statement of a run may, and waits for the transactions open before it.
    await run(client, setConfigSql('statement_timeout', '0'));
    await run(client, setConfigSql('lock_timeout', '0'));
    if (request.maintenanceWorkMem !== undefined) await run(client, setConfigSql('maintenance_work_mem', request.maintenanceWorkMem));
    const storage = request.storage as VectorType;
    const settings = request.kind === 'ivfflat' ? { lists: ivfflatLists(await vectorRows(client, where)) } : HNSW_BUILD;
    const started = performance.now();
    await hooks.started(pid);
    if (hooks.cancelled()) return { kind: 'cancelled', name };
    const polling = pollProgress(where.table, pid, request, hooks.watcher);
    try {
      await run(
        client,
        createIndexSql(quoteIdentifier(name), where.table, quoteIdentifier(where.column), request.kind, cosineOps[storage], settings),
      );
    } catch (error) {
      if (hooks.cancelled()) return { kind: 'cancelled', name };
      throw new DatabaseError(`building index ${qualifiedName} failed: ${(error as Error).message}; the next run builds it again`, {
        code: 'TARGET',
        cause: error,
      });
    } finally {
      polling.stop();
      await polling.done;
    }
    return { kind: 'built', name, method: request.kind, seconds: (performance.now() - started) / 1000, rebuilt: again !== undefined };
  } finally {
    // Session locks end with the session, but not on a server that shares one session among its clients.
    await run(client, unlockBuildSql(name)).catch(() => undefined);
  }
}

/** An index on a vector column: `lists` where it was built WITH (lists = N) (ivfflat), else null. */
export interface ColumnIndex {
  name: string;
  method: string;
  valid: boolean;
  lists: number | null;
}

export async function columnIndexes(client: pg.ClientBase, table: string, column: string): Promise<ColumnIndex[]> {
  return (await run<ColumnIndex>(client, columnIndexesSql(table, column))).rows;
}

async function vectorRows(client: pg.ClientBase, where: { table: string; column: string }): Promise<number> {
  return (await run<{ n: number }>(client, vectorRowsSql(where.table, quoteIdentifier(where.column)))).rows[0]!.n;
}

/**
 * The HNSW graph's build, denser than pgvector's defaults (m 16, ef_construction 64): built once, after
 * the backfill, the graph then serves every query at pgvector's default ef_search, where a denser graph
 * finds more of the true neighbours (bench:search) for a longer build and more neighbours kept per vector.
 */
export const HNSW_BUILD = { m: 24, ef_construction: 128 };

/** pgvector's advice: rows / 1000 lists up to a million rows, the square root of the rows above. */
export function ivfflatLists(rows: number): number {
  return Math.max(1, Math.round(rows <= 1_000_000 ? rows / 1000 : Math.sqrt(rows)));
}

/** Reads pg_stat_progress_create_index from the other session until stopped. */
function pollProgress(table: string, pid: number, request: IndexBuildRequest, watcher: () => pg.Client | undefined) {
  let stopped = false;
  let wake: () => void = () => undefined;
  const done = (async () => {
    const client = watcher();
    if (client === undefined || request.onProgress === undefined) return;
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, request.pollMs ?? 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopped) break;
      const row = (await run<IndexProgress>(client, buildsRunningSql(table, pid)).catch(() => undefined))?.rows[0];
      if (row !== undefined && !stopped) request.onProgress({ phase: row.phase, done: row.done, total: row.total });
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      wake();
    },
  };
}
