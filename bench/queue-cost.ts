/**
 * The queue's cost per range, as a host pays it: a fetch, then the transaction that completes the range
 * (host counts and pg-boss's complete), timed one after the other; then the ranges per second the server
 * sustains with several hosts doing the same at once. On a queue of its own in the schema, dropped by
 * the caller.
 */
import pg from 'pg';
import { completeRange, joinPass } from '../src/distributed/host-records.js';
import { lease } from '../src/distributed/lease.js';
import { queueSchema } from '../src/distributed/queue-schema.js';
import { RangeQueue, type FetchedRange } from '../src/distributed/range-queue.js';

/** Fetch and complete timed per range on one host, then the throughput of many hosts at once. */
export async function queueCost(databaseUrl: string, ranges: number) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  const name = 'embed-bench-queue';
  const queue = await RangeQueue.open(pool, name, lease(30), () => undefined);
  try {
    await pool.query(
      `INSERT INTO ${queueSchema}.embed_jobs (queue, source, id_column, text_column, target, model, model_hash, dimension)
       VALUES ($1, 'bench', 'id', 'text', 'bench', 'bench', 'bench', 1) ON CONFLICT DO NOTHING`,
      [name],
    );
    await joinPass(pool, name, 1);
    const enqueue = async (count: number) => {
      const client = await pool.connect();
      try {
        await queue.enqueue(
          client,
          Array.from({ length: count }, (_, i) => ({ pass: 1, after: String(i), last: String(i + 1), rows: 1 })),
        );
      } finally {
        client.release();
      }
    };
    await enqueue(ranges);
    const fetchMs: number[] = [];
    const completeMs: number[] = [];
    for (;;) {
      let t = performance.now();
      const range = await queue.fetch();
      if (!range) break;
      fetchMs.push(performance.now() - t);
      t = performance.now();
      await completeRange(pool, queue, range, { rows: 1, failed: [] });
      completeMs.push(performance.now() - t);
    }
    const concurrentHosts = 8;
    await enqueue(ranges);
    const startedAt = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: concurrentHosts }, async () => {
        for (let range: FetchedRange | undefined = await queue.fetch(); range; range = await queue.fetch()) {
          await completeRange(pool, queue, range, { rows: 1, failed: [] });
          done++;
        }
      }),
    );
    const rangesPerSecond = done / ((performance.now() - startedAt) / 1000);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      fetch: quantiles(fetchMs),
      complete: quantiles(completeMs),
      perRangeMs: mean(fetchMs) + mean(completeMs),
      concurrentHosts,
      rangesPerSecond,
    };
  } finally {
    await queue.stop();
    await pool.end();
  }
}

export function quantiles(values: number[]): { p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p95: sorted[Math.floor(sorted.length * 0.95)]! };
}
