/**
 * What a host writes about its own work in the queue schema: that it joined a pass, that it is alive
 * (with each heartbeat), and, in the same transaction that completes a range, the rows of that range
 * that failed and the rows it embedded. A range is therefore never done without its failed rows.
 */
import type pg from 'pg';
import { queueSchema } from './queue-schema.js';
import { hostName, type FetchedRange, type RangeQueue } from './range-queue.js';

export interface FailedRow {
  id: string;
  error: string;
}

export async function joinPass(pool: pg.Pool, queue: string, pass: number): Promise<void> {
  await pool.query(
    `INSERT INTO ${queueSchema}.embed_hosts (queue, pass, host) VALUES ($1, $2, $3)
     ON CONFLICT (queue, pass, host) DO UPDATE SET seen_at = now()`,
    [queue, pass, hostName],
  );
}

export async function markSeen(pool: pg.Pool, queue: string, pass: number): Promise<void> {
  await pool.query(`UPDATE ${queueSchema}.embed_hosts SET seen_at = now() WHERE queue = $1 AND pass = $2 AND host = $3`, [
    queue,
    pass,
    hostName,
  ]);
}

/**
 * Completes a range: its failed rows, this host's counts and pg-boss's completion in one transaction;
 * false when another host completed it first.
 */
export async function completeRange(
  pool: pg.Pool,
  queue: RangeQueue,
  range: FetchedRange,
  done: { rows: number; failed: readonly FailedRow[] },
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (done.failed.length > 0) {
      await client.query(
        `INSERT INTO ${queueSchema}.embed_failed_rows (queue, row_id, error, host)
         SELECT $1, row_id, error, $4 FROM unnest($2::text[], $3::text[]) AS f(row_id, error)
         ON CONFLICT (queue, row_id) DO UPDATE
           SET error = excluded.error, attempts = embed_failed_rows.attempts + 1, host = excluded.host, last_at = now()`,
        [queue.name, done.failed.map((f) => f.id), done.failed.map((f) => f.error), hostName],
      );
    }
    await client.query(
      `UPDATE ${queueSchema}.embed_hosts SET rows = rows + $4, ranges = ranges + 1, seen_at = now()
        WHERE queue = $1 AND pass = $2 AND host = $3`,
      [queue.name, range.pass, hostName, done.rows],
    );
    const here = await queue.complete(client, range);
    await client.query('COMMIT');
    return here;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Rows that failed on any host (a later successful write of a row does not clear them: retry them single-host). */
export async function failedRows(
  client: pg.ClientBase,
  queue: string,
): Promise<{ rowId: string; error: string; attempts: number; host: string; lastAt: string }[]> {
  const result = await client.query<{ rowId: string; error: string; attempts: number; host: string; lastAt: string }>(
    `SELECT row_id AS "rowId", error, attempts, host, to_char(last_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS "lastAt"
       FROM ${queueSchema}.embed_failed_rows WHERE queue = $1 ORDER BY last_at, row_id`,
    [queue],
  );
  return result.rows;
}
