/** The statements of the vector index on a pgvector target: what exists, what is being built, the build itself. */
import type { Statement } from '../db/statement.js';

/** The installed pgvector's version (`version`); no row without the extension. */
export function pgvectorVersionSql(): Statement {
  return { text: `SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'` };
}

/** The relation's schema and bare name (`schema`, `name`). */
export function relationNameSql(qualified: string): Statement {
  return {
    text: `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1)`,
    values: [qualified],
  };
}

/**
 * The indexes with the column among their keys: `name`, `method` (hnsw, ivfflat, btree...), `valid`, and
 * `lists` where the index was built WITH (lists = N).
 */
export function columnIndexesSql(qualified: string, column: string): Statement {
  return {
    text: `SELECT c.relname AS name, am.amname AS method, i.indisvalid AS valid,
                  (SELECT o.option_value::int FROM pg_options_to_table(c.reloptions) AS o WHERE o.option_name = 'lists') AS lists
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
            WHERE i.indrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped
            ORDER BY c.relname`,
    values: [qualified, column],
  };
}

/**
 * Index builds running on the table (`pid`, `index`, `phase`, `done` and `total` in the phase's unit);
 * with $2 only the build of that backend.
 */
export function buildsRunningSql(qualified: string, pid?: number): Statement {
  return {
    text: `SELECT pid, index_relid::regclass::text AS index, phase,
                  CASE WHEN blocks_total > 0 THEN blocks_done ELSE tuples_done END::float8 AS done,
                  CASE WHEN blocks_total > 0 THEN blocks_total ELSE tuples_total END::float8 AS total
             FROM pg_stat_progress_create_index
            WHERE relid = to_regclass($1)${pid === undefined ? '' : ' AND pid = $2'}`,
    values: pid === undefined ? [qualified] : [qualified, pid],
  };
}

export function backendPidSql(): Statement {
  return { text: 'SELECT pg_backend_pid() AS pid' };
}

/** One builder per index: a session lock (`locked`) another process (a watcher, another host) cannot take meanwhile. */
export function tryBuildLockSql(indexName: string): Statement {
  return { text: `SELECT pg_try_advisory_lock(hashtext('embed index'), hashtext($1)) AS locked`, values: [indexName] };
}

/** The rows holding a vector (`n`), for ivfflat's lists. */
export function vectorRowsSql(table: string, column: string): Statement {
  return { text: `SELECT count(${column})::float8 AS n FROM ${table}` };
}

/** `index` schema-qualified and quoted; CONCURRENTLY takes no lock that stops the writes. */
export function dropIndexSql(index: string): Statement {
  return { text: `DROP INDEX CONCURRENTLY IF EXISTS ${index}` };
}

/**
 * `name` quoted, bare (the index goes in the table's schema); `method` hnsw or ivfflat, `opclass` the
 * distance's, `settings` its build parameters (whole numbers: m, ef_construction, lists).
 */
export function createIndexSql(
  name: string,
  table: string,
  column: string,
  method: string,
  opclass: string,
  settings: Record<string, number>,
): Statement {
  const options = Object.entries(settings).map(([key, value]) => `${key} = ${Math.trunc(value)}`);
  return {
    text: `CREATE INDEX CONCURRENTLY ${name} ON ${table} USING ${method} (${column} ${opclass})${
      options.length === 0 ? '' : ` WITH (${options.join(', ')})`
    }`,
  };
}

export function cancelBackendSql(pid: number): Statement {
  return { text: 'SELECT pg_cancel_backend($1)', values: [pid] };
}

export function unlockBuildSql(indexName: string): Statement {
  return { text: `SELECT pg_advisory_unlock(hashtext('embed index'), hashtext($1))`, values: [indexName] };
}
