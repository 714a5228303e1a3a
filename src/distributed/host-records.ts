/**
 * What a host writes about its own work in the queue schema: that it joined a pass, that it is alive
 * (with each heartbeat), and, in the same transaction that completes a range, the rows of that range
 * that failed and the rows it embedded. A range is therefore never done without its failed rows.
 */
import type pg from 'pg';
import { queueSchema } from './queue-schema.js';
import { hostName, type FetchedRange, type RangeQueue } from './range-queue.js';
import { countRangeSql, failedRowsSql, joinPassSql, markSeenSql, recordFailedRowsSql } from './queue-sql.js';
import { withTransaction } from '../../common/transaction.js';

export interface FailedRow {
  id: string;
  error: string;
}

export async function joinPass(pool: pg.Pool, queue: string, pass: number): Promise<void> {
  const join = joinPassSql(queueSchema, queue, pass, hostName);
  await pool.query(join.text, join.values);
}

export async function markSeen(pool: pg.Pool, queue: string, pass: number): Promise<void> {
  const seen = markSeenSql(queueSchema, queue, pass, hostName);
  await pool.query(seen.text, seen.values);
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
    return await withTransaction(client, async () => {
      if (done.failed.length > 0) {
        const failed = recordFailedRowsSql(
          queueSchema,
          queue.name,
          done.failed.map((f) => f.id),
          done.failed.map((f) => f.error),
          hostName,
        );
        await client.query(failed.text, failed.values);
      }
      const counted = countRangeSql(queueSchema, queue.name, range.pass, hostName, done.rows);
      await client.query(counted.text, counted.values);
      return queue.complete(client, range);
    });
  } finally {
    client.release();
  }
}

/** Rows that failed on any host (a later successful write of a row does not clear them: retry them single-host). */
export async function failedRows(
  client: pg.ClientBase,
  queue: string,
): Promise<{ rowId: string; error: string; attempts: number; host: string; lastAt: string }[]> {
  const listed = failedRowsSql(queueSchema, queue);
  const result = await client.query<{ rowId: string; error: string; attempts: number; host: string; lastAt: string }>(
    listed.text,
    listed.values,
  );
  return result.rows;
}
