/**
 * The pieces under `--distributed`, against the real server: ranges cut from the id index cover every
 * id once; the pg-boss queue hands a range to one host only, gives back a range whose host went silent
 * once its lease runs out (and not while the host beats), gives back a released one at once, and plans a
 * pass once however many hosts ask together.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool } from '../../dist/src/db/database.js';
import { joinOrPlanPass, queueName } from '../../dist/src/distributed/distributed-job.js';
import { lease } from '../../dist/src/distributed/lease.js';
import { planRanges } from '../../dist/src/distributed/range-planner.js';
import { RangeQueue, type FetchedRange } from '../../dist/src/distributed/range-queue.js';
import { rangeSizing } from '../../dist/src/distributed/range-sizes.js';
import { describeSource } from '../../dist/src/source/source-table.js';
import { describeTarget } from '../../dist/src/target/target-table.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { sleep } from '../helpers/progress.js';

describe('the range queue and planner', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const queues: RangeQueue[] = [];
  const open = async (name: string, seconds = 3) => {
    const queue = await RangeQueue.open(pool, name, lease(seconds), () => undefined);
    queues.push(queue);
    return queue;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // The hosts' own kind of pool (clients that keep an error listener): pool.end() resolves before its
    // sessions have closed, and db.drop() may end one still open, which a bare pool would raise as an
    // uncaught 'error'.
    pool = openPool({ connectionString: db.url }, 8);
    // Ids with gaps, and text ids, whose order is not the numbers'.
    await db.client.query(`CREATE TABLE numbers (id bigint PRIMARY KEY, text text)`);
    await db.client.query(`INSERT INTO numbers SELECT i * 3, 'n' || i FROM generate_series(1, 5000) AS i`);
    // The target a planner looks into (empty: nothing to skip).
    await db.client.query(`CREATE TABLE numbers_embeddings (id bigint PRIMARY KEY, model text, content_hash text)`);
    await db.client.query(`CREATE TABLE words (key text PRIMARY KEY, body text)`);
    await db.client.query(`INSERT INTO words SELECT 'w' || i, 'word ' || i FROM generate_series(1, 3000) AS i`);
  });
  afterAll(async () => {
    for (const queue of queues) await queue.stop();
    await pool.end();
    await db.drop();
  });

  const coverage = async (table: string, id: string, ranges: { after: string | null; last: string; rows: number }[], type: string) => {
    for (const range of ranges) {
      const counted = await db.client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${table} WHERE ($1::${type} IS NULL OR ${id} > $1::${type}) AND ${id} <= $2::${type}`,
        [range.after, range.last],
      );
      expect(Number(counted.rows[0]!.n)).toBe(range.rows);
    }
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.after).toBe(ranges[i - 1]!.last);
  };

  it('cuts the ids into consecutive ranges that hold exactly their planned rows', async () => {
    const numbers = await describeSource(db.client, { name: 'numbers' }, 'id', 'text');
    const all = await planRanges(db.client, numbers, 1, null, rangeSizing(400, 100));
    expect(all[0]!.after).toBeNull();
    expect(all.at(-1)!.last).toBe('15000');
    expect(all.reduce((n, r) => n + r.rows, 0)).toBe(5000);
    await coverage('numbers', 'id', all, 'bigint');
    const above = await planRanges(db.client, numbers, 2, '12000', rangeSizing(400, 100));
    expect(above[0]!.after).toBe('12000');
    expect(above.reduce((n, r) => n + r.rows, 0)).toBe(1000);
    await coverage('numbers', 'id', above, 'bigint');

    const words = await describeSource(db.client, { name: 'words' }, 'key', 'body');
    const byText = await planRanges(db.client, words, 1, null, rangeSizing(400, 100));
    expect(byText.reduce((n, r) => n + r.rows, 0)).toBe(3000);
    expect(byText.at(-1)!.last).toBe('w999');
    await coverage('words', 'key', byText, 'text');
  });

  it('plans a pass once when hosts ask together, and hands each range to one host', async () => {
    const numbers = await describeSource(db.client, { name: 'numbers' }, 'id', 'text');
    const target = describeTarget(numbers, { name: 'm', fileHash: '0'.repeat(64) }, {});
    const name = queueName({ source: numbers.sql, idColumn: 'id', textColumn: 'text', target: target.display });
    const hosts = await Promise.all(Array.from({ length: 4 }, () => open(name)));
    await db.client.query(
      `INSERT INTO embed_queue.embed_jobs (queue, source, id_column, text_column, target, model, model_hash, dimension)
                           VALUES ($1, $2, 'id', 'text', $3, 'm', $4, 8)`,
      [name, numbers.sql, target.display, '0'.repeat(64)],
    );
    const passes = await Promise.all(hosts.map((queue) => joinOrPlanPass(pool, queue, numbers, target, rangeSizing(400, 100))));
    expect(passes.filter((p) => p!.plannedNow)).toHaveLength(1);
    expect(new Set(passes.map((p) => p!.number))).toEqual(new Set([1]));
    const planned = passes[0]!.ranges;
    const jobs = await db.client.query<{ n: string }>(`SELECT count(*) AS n FROM embed_queue.job WHERE name = $1`, [name]);
    expect(Number(jobs.rows[0]!.n)).toBe(planned);

    // Four hosts fetch at once until the queue is empty: every range once.
    const fetched: FetchedRange[] = [];
    await Promise.all(
      hosts.map(async (queue) => {
        for (let range = await queue.fetch(); range; range = await queue.fetch()) fetched.push(range);
      }),
    );
    expect(fetched).toHaveLength(planned);
    expect(new Set(fetched.map((r) => r.jobId)).size).toBe(planned);
    const client = await pool.connect();
    try {
      for (const range of fetched) await hosts[0]!.complete(client, range);
    } finally {
      client.release();
    }
    // A finished pass with no new ids is not planned again.
    const again = await joinOrPlanPass(pool, hosts[1]!, numbers, target, rangeSizing(400, 100));
    expect(again).toMatchObject({ number: 1, finished: true, plannedNow: false });
  });

  it("gives a silent host's range back after its lease, keeps a beating host's, and a released one at once", async () => {
    const name = 'embed-lease-test';
    const [a, b] = [await open(name), await open(name)];
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await a.enqueue(client, [
        { pass: 1, after: null, last: '10', rows: 10 },
        { pass: 1, after: '10', last: '20', rows: 10 },
        { pass: 1, after: '20', last: '30', rows: 10 },
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const silent = (await a.fetch())!;
    const beating = (await a.fetch())!;
    const released = (await a.fetch())!;
    expect(silent.retried).toBe(false);
    await a.release([released]);
    const again = await b.fetch();
    expect(again).toMatchObject({ jobId: released.jobId, retried: true });

    // Lease 3 s: maintenance every second. The silent range comes back; the beating one does not.
    const startedAt = Date.now();
    let takenOver: FetchedRange | undefined;
    while (!takenOver && Date.now() - startedAt < 20_000) {
      await Promise.all([a.heartbeat([beating]), b.heartbeat([again!])]);
      takenOver = await b.fetch();
      if (!takenOver) await sleep(250);
    }
    const waitedSeconds = (Date.now() - startedAt) / 1000;
    expect(takenOver).toMatchObject({ jobId: silent.jobId, retried: true });
    expect(waitedSeconds).toBeLessThanOrEqual(lease(3).takeoverSeconds + 2);
    for (let i = 0; i < 8; i++) {
      await Promise.all([a.heartbeat([beating]), b.heartbeat([again!, takenOver!])]);
      expect(await b.fetch()).toBeUndefined();
      await sleep(500);
    }
  });
});
