/**
 * The queue's statements, each a function of the queue's schema as pg-boss's plans are (its own
 * tables: embed_jobs, embed_passes, embed_hosts, embed_failed_rows; pg-boss's: job, archive).
 * Longer than 250 lines because it holds every statement of the queue, one short function each.
 */
import type { Statement } from '../db/statement.js';

/** Whether the schema exists (`found`). */
export function schemaExistsSql(schema: string): Statement {
  return { text: `SELECT to_regnamespace($1) IS NOT NULL AS found`, values: [schema] };
}

/** Whether a table exists (`found`); `table` schema-qualified. */
export function queueTableExistsSql(table: string): Statement {
  return { text: `SELECT to_regclass($1) IS NOT NULL AS found`, values: [table] };
}

/** Every job of the queue, with its passes and failed rows, oldest first. */
export function queueJobsSql(schema: string): Statement {
  return {
    text: `SELECT j.queue, j.source, j.target, j.model || '@' || left(j.model_hash, 12) AS model,
            (SELECT count(*)::int FROM ${schema}.embed_passes p WHERE p.queue = j.queue) AS passes,
            (SELECT count(*)::int FROM ${schema}.embed_failed_rows f WHERE f.queue = j.queue) AS failed_rows
       FROM ${schema}.embed_jobs j ORDER BY j.created_at`,
  };
}

/** Ranges by queue and state, archived ones included (`name`, `state`, `n`). */
export function rangeStatesSql(schema: string): Statement {
  return {
    text: `SELECT name, state::text AS state, count(*)::int AS n FROM (
       SELECT name, state FROM ${schema}.job UNION ALL SELECT name, state FROM ${schema}.archive
     ) ranges GROUP BY name, state`,
  };
}

export function dropQueueSchemaSql(schema: string): Statement {
  return { text: `DROP SCHEMA ${schema} CASCADE` };
}

/** A pass's ranges and their rows by state, archived ones included. */
export function passRangesSql(schema: string, queue: string, pass: number): Statement {
  return {
    text: `SELECT state::text AS state, count(*) AS ranges, coalesce(sum((data->>'rows')::bigint), 0) AS rows FROM (
       SELECT state, data FROM ${schema}.job WHERE name = $1 AND (data->>'pass')::int = $2
       UNION ALL
       SELECT state, data FROM ${schema}.archive WHERE name = $1 AND (data->>'pass')::int = $2
     ) ranges GROUP BY state`,
    values: [queue, pass],
  };
}

/** What the pass's plan holds (`ranges`, `rows`). */
export function passPlanSql(schema: string, queue: string, pass: number): Statement {
  return { text: `SELECT ranges, rows FROM ${schema}.embed_passes WHERE queue = $1 AND pass = $2`, values: [queue, pass] };
}

/** The pass's hosts: rows, ranges, seconds at work, seconds silent. */
export function passHostsSql(schema: string, queue: string, pass: number): Statement {
  return {
    text: `SELECT host, rows, ranges, extract(epoch FROM seen_at - started_at)::float8 AS seconds,
            extract(epoch FROM now() - seen_at)::float8 AS silent
       FROM ${schema}.embed_hosts WHERE queue = $1 AND pass = $2 ORDER BY started_at, host`,
    values: [queue, pass],
  };
}

/** The job's failed rows (`n`). */
export function failedRowCountSql(schema: string, queue: string): Statement {
  return { text: `SELECT count(*) AS n FROM ${schema}.embed_failed_rows WHERE queue = $1`, values: [queue] };
}

/** The queue of a job and its latest pass (`queue`, `pass`). */
export function jobLatestPassSql(schema: string, source: string, idColumn: string, text: string, target: string): Statement {
  return {
    text: `SELECT j.queue, max(p.pass) AS pass FROM ${schema}.embed_jobs j JOIN ${schema}.embed_passes p USING (queue)
      WHERE j.source = $1 AND j.id_column = $2 AND j.text_column = $3 AND j.target = $4 GROUP BY j.queue`,
    values: [source, idColumn, text, target],
  };
}

/** Rows of every pass in ranges completed (`rows`). */
export function rowsDoneSql(schema: string, queue: string): Statement {
  return {
    text: `SELECT (SELECT coalesce(sum(rows), 0) FROM ${schema}.embed_passes WHERE queue = $1) - coalesce(sum((data->>'rows')::bigint), 0) AS rows
       FROM (SELECT data FROM ${schema}.job WHERE name = $1 AND state <> 'completed'
             UNION ALL SELECT data FROM ${schema}.archive WHERE name = $1 AND state <> 'completed') left_over`,
    values: [queue],
  };
}

/** Source rows above the last pass's last id (`n`); `id` is the id column on `src`. */
export function rowsAboveSql(table: string, id: string, idType: string, lastId: string): Statement {
  return { text: `SELECT count(*) AS n FROM ${table} AS src WHERE ${id} > $1::${idType}`, values: [lastId] };
}

/** Waits for the session-level advisory lock of a text key (`hashtext`). */
export function lockKeySql(key: string): Statement {
  return { text: 'SELECT pg_advisory_lock(hashtext($1))', values: [key] };
}

/** Takes the advisory lock of a text key if free (`ok`). */
export function tryLockKeySql(key: string): Statement {
  return { text: 'SELECT pg_try_advisory_lock(hashtext($1)) AS ok', values: [key] };
}

export function unlockKeySql(key: string): Statement {
  return { text: 'SELECT pg_advisory_unlock(hashtext($1))', values: [key] };
}

/** Waits for the advisory lock of a number (the queue's setup). */
export function lockNumberSql(key: number): Statement {
  return { text: 'SELECT pg_advisory_lock($1)', values: [key] };
}

export function unlockNumberSql(key: number): Statement {
  return { text: 'SELECT pg_advisory_unlock($1)', values: [key] };
}

/** The job's failed rows, in id order (`row_id`). */
export function failedRowIdsSql(schema: string, queue: string): Statement {
  return { text: `SELECT row_id FROM ${schema}.embed_failed_rows WHERE queue = $1 ORDER BY row_id`, values: [queue] };
}

/** Takes off the list the rows written or gone, except those that failed again. */
export function clearSettledRowsSql(schema: string, queue: string, settled: readonly string[], failedAgain: string[]): Statement {
  return {
    text: `DELETE FROM ${schema}.embed_failed_rows WHERE queue = $1 AND row_id = ANY($2::text[]) AND NOT (row_id = ANY($3::text[]))`,
    values: [queue, settled, failedAgain],
  };
}

/** Records the new error of rows that failed again, and the host that tried. */
export function failedAgainSql(schema: string, queue: string, ids: string[], errors: string[], host: string): Statement {
  return {
    text: `UPDATE ${schema}.embed_failed_rows AS f SET error = again.error, attempts = f.attempts + 1, host = $4, last_at = now()
         FROM unnest($2::text[], $3::text[]) AS again(row_id, error) WHERE f.queue = $1 AND f.row_id = again.row_id`,
    values: [queue, ids, errors, host],
  };
}

/** The heartbeat: the ranges a host holds look started now to pg-boss's expiry. */
export function heartbeatSql(schema: string, name: string, jobIds: string[]): Statement {
  return {
    text: `UPDATE ${schema}.job SET started_on = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`,
    values: [name, jobIds],
  };
}

/** This host joins a pass (or is seen again). */
export function joinPassSql(schema: string, queue: string, pass: number, host: string): Statement {
  return {
    text: `INSERT INTO ${schema}.embed_hosts (queue, pass, host) VALUES ($1, $2, $3)
     ON CONFLICT (queue, pass, host) DO UPDATE SET seen_at = now()`,
    values: [queue, pass, host],
  };
}

export function markSeenSql(schema: string, queue: string, pass: number, host: string): Statement {
  return {
    text: `UPDATE ${schema}.embed_hosts SET seen_at = now() WHERE queue = $1 AND pass = $2 AND host = $3`,
    values: [queue, pass, host],
  };
}

/** Lists a range's failed rows (a row listed already gets the new error and one more attempt). */
export function recordFailedRowsSql(schema: string, queue: string, ids: string[], errors: string[], host: string): Statement {
  return {
    text: `INSERT INTO ${schema}.embed_failed_rows (queue, row_id, error, host)
         SELECT $1, row_id, error, $4 FROM unnest($2::text[], $3::text[]) AS f(row_id, error)
         ON CONFLICT (queue, row_id) DO UPDATE
           SET error = excluded.error, attempts = embed_failed_rows.attempts + 1, host = excluded.host, last_at = now()`,
    values: [queue, ids, errors, host],
  };
}

/** Counts a completed range for this host. */
export function countRangeSql(schema: string, queue: string, pass: number, host: string, rows: number): Statement {
  return {
    text: `UPDATE ${schema}.embed_hosts SET rows = rows + $4, ranges = ranges + 1, seen_at = now()
        WHERE queue = $1 AND pass = $2 AND host = $3`,
    values: [queue, pass, host, rows],
  };
}

/** The job's failed rows with their errors, oldest first. */
export function failedRowsSql(schema: string, queue: string): Statement {
  return {
    text: `SELECT row_id AS "rowId", error, attempts, host, to_char(last_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS "lastAt"
       FROM ${schema}.embed_failed_rows WHERE queue = $1 ORDER BY last_at, row_id`,
    values: [queue],
  };
}

/** Records a job on its first host's arrival. */
export function insertJobSql(schema: string, values: [string, string, string, string, string, string, string, number, string]): Statement {
  return {
    text: `INSERT INTO ${schema}.embed_jobs (queue, source, id_column, text_column, target, model, model_hash, dimension, profile)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (queue) DO NOTHING`,
    values,
  };
}

/** The job's model (`model`, `model_hash`, `dimension`, `profile`). */
export function jobModelSql(schema: string, queue: string): Statement {
  return { text: `SELECT model, model_hash, dimension, profile FROM ${schema}.embed_jobs WHERE queue = $1`, values: [queue] };
}

/** A planned pass: its bounds, ranges, rows, whether it checks the target, its planner and snapshot. */
export function insertPassSql(schema: string, values: unknown[]): Statement {
  return {
    text: `INSERT INTO ${schema}.embed_passes (queue, pass, after_id, last_id, ranges, rows, check_target, planned_by, snapshot)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    values,
  };
}

export function passSnapshotSql(schema: string, queue: string, pass: number, snapshot: string): Statement {
  return { text: `UPDATE ${schema}.embed_passes SET snapshot = $3 WHERE queue = $1 AND pass = $2`, values: [queue, pass, snapshot] };
}

/** The job's latest pass. */
export function latestPassSql(schema: string, queue: string): Statement {
  return {
    text: `SELECT pass, after_id, last_id, ranges, rows, check_target, planned_by, snapshot FROM ${schema}.embed_passes
        WHERE queue = $1 ORDER BY pass DESC LIMIT 1`,
    values: [queue],
  };
}

/** Ranges of a pass still waiting or running, except the given ones (`n`). */
export function unfinishedRangesSql(schema: string, queue: string, pass: number, except: readonly string[]): Statement {
  return {
    text: `SELECT count(*) AS n FROM ${schema}.job
      WHERE name = $1 AND state < 'completed' AND (data->>'pass')::int = $2 AND NOT (id = ANY($3::uuid[]))`,
    values: [queue, pass, except],
  };
}

/**
 * The pass's completed ranges: the rows of those other hosts completed (`rows`), and which of the given
 * open ranges are completed by now (`completed`).
 */
export function completedRangesSql(schema: string, queue: string, pass: number, host: string, open: string[]): Statement {
  return {
    text: `SELECT coalesce(sum((data->>'rows')::bigint) FILTER (WHERE output->>'host' IS DISTINCT FROM $3), 0) AS rows,
                coalesce(array_agg(id::text) FILTER (WHERE id = ANY($4::uuid[])), '{}') AS completed
           FROM ${schema}.job WHERE name = $1 AND state = 'completed' AND (data->>'pass')::int = $2`,
    values: [queue, pass, host, open],
  };
}

/** Rows meeting the planner's condition (`n`); `id` is the id column on `src`. */
export function planCountSql(table: string, id: string, above: string, values: unknown[]): Statement {
  return { text: `SELECT count(${id}) AS n FROM ${table} AS src WHERE ${above}`, values };
}

/** The ids at the given row numbers, in id order: where ranges are cut. */
export function planCutsSql(table: string, id: string, above: string, cutsParam: number, values: unknown[]): Statement {
  return {
    text: `SELECT n, id FROM (
       SELECT row_number() OVER (ORDER BY ${id}) AS n, ${id}::text AS id FROM ${table} AS src WHERE ${above}
     ) numbered WHERE n = ANY($${cutsParam}::bigint[]) ORDER BY n`,
    values,
  };
}
