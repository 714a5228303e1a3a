/**
 * `--retry-failed --distributed`: the rows that failed on any host of the job (embed_failed_rows in
 * the queue schema, where every host records them), embedded again by this host one row per task, as a
 * plain retry does. Rows written leave the list, rows that fail again stay with their new error and one
 * more attempt, and rows gone from the source or emptied since leave it too. One host at a time (an
 * advisory lock): another host given the same command meanwhile is told so and returns.
 */
import type pg from 'pg';
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import type { Queryable } from '../db/database.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import { CommitLedger } from '../pass/commit-ledger.js';
import { runEmbedLoop, type LoopStats } from '../pass/embed-loop.js';
import { readFailedRows } from '../source/failed-rows.js';
import type { SourceTable } from '../source/source-table.js';
import { queueSchema } from './queue-schema.js';
import { hostName } from './range-queue.js';
import { clearSettledRowsSql, failedAgainSql, failedRowIdsSql, tryLockKeySql, unlockKeySql } from './queue-sql.js';
import { withTransaction } from '../../common/transaction.js';

export interface RetryInput {
  queuePool: pg.Pool;
  queue: string;
  db: Queryable;
  source: SourceTable;
  sendTask: (task: BatchTask) => Promise<BatchResult>;
  breaker: CircuitBreaker;
  maxInFlight: number;
  stopRequested: () => boolean;
  /** Told the rows to retry before any is read. */
  onStart: (rows: number) => void;
  onProgress: (rowsDone: number) => void;
}

export type RetryOutcome = { kind: 'busy' } | { kind: 'done'; stats: LoopStats; failedAgain: number };

export async function retryFailedRows(input: RetryInput): Promise<RetryOutcome> {
  const lock = await input.queuePool.connect();
  const key = `${input.queue}/retry-failed`;
  try {
    const tryLock = tryLockKeySql(key);
    const taken = await lock.query<{ ok: boolean }>(tryLock.text, tryLock.values);
    if (!taken.rows[0]!.ok) return { kind: 'busy' };
    try {
      const failedIds = failedRowIdsSql(queueSchema, input.queue);
      const listed = await lock.query<{ row_id: string }>(failedIds.text, failedIds.values);
      const ids = listed.rows.map((r) => r.row_id);
      input.onStart(ids.length);
      const settled: string[] = [];
      const failedAgain = new Map<string, string>();
      const stats = await runEmbedLoop({
        pages: readFailedRows(input.db, input.source, ids, 1000, (gone) => settled.push(...gone)),
        sendTask: async (task) => {
          const result = await input.sendTask(task);
          settled.push(...task.ids);
          return result;
        },
        breaker: input.breaker,
        ledger: new CommitLedger(null, []),
        job: { saveProgress: () => undefined, recordFailure: (id, error) => failedAgain.set(id, error) },
        // Alone in its task, each row gets its own verdict (see pass/pass.ts retryFailedPass).
        taskRows: () => 1,
        maxInFlight: input.maxInFlight,
        stopRequested: input.stopRequested,
        onProgress: input.onProgress,
      });
      await settle(lock, input.queue, settled, failedAgain);
      return { kind: 'done', stats, failedAgain: failedAgain.size };
    } finally {
      const unlock = unlockKeySql(key);
      await lock.query(unlock.text, unlock.values);
    }
  } finally {
    lock.release();
  }
}

/** In one transaction: rows written or gone leave the list, rows failed again get their new error. */
async function settle(
  client: pg.ClientBase,
  queue: string,
  settled: readonly string[],
  failedAgain: ReadonlyMap<string, string>,
): Promise<void> {
  await withTransaction(client, async () => {
    const cleared = clearSettledRowsSql(queueSchema, queue, settled, [...failedAgain.keys()]);
    await client.query(cleared.text, cleared.values);
    const again = failedAgainSql(queueSchema, queue, [...failedAgain.keys()], [...failedAgain.values()], hostName);
    await client.query(again.text, again.values);
  });
}
