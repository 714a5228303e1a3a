/**
 * The queue of id ranges, on pg-boss 10 (the newest line that runs on Node 20; see docs/distributed.md): one queue
 * per job, one pg-boss job per range. A host fetches a range (SKIP LOCKED: no two hosts get the same
 * one), embeds and commits its rows, then completes it; a range whose host died, lost its link or
 * stopped comes back (pg-boss's retry) and is fetched again.
 */
import os from 'node:os';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { PassSnapshot } from '../source/pass-snapshot.js';
import type { Lease } from './lease.js';
import { createOwnTables, queueSchema } from './queue-schema.js';
import { heartbeatSql, lockNumberSql, unlockNumberSql } from './queue-sql.js';

/** A range of ids as planned: (after, last], in the id column's own order. */
export interface PlannedRange {
  pass: number;
  after: string | null;
  last: string;
  rows: number;
  /**
   * A range of rows a catch-up looks at again (below the last pass's end): those written since this
   * snapshot of the last pass, or every row when null, that the target does not hold with the same text.
   */
  recheck?: PassSnapshot | null;
}

export interface FetchedRange extends PlannedRange {
  /** The pg-boss job id. */
  jobId: string;
  /** Fetched before by a host that did not complete it: some of its rows may be in the target already. */
  retried: boolean;
}

/** Serialises setting up the schema and a job's queue across hosts. */
const setupLock = 0x656d6264;

/** Times a range may be taken up again (host died, link lost, Ctrl-C) before it is marked failed. */
export const rangeRetryLimit = 20;

/** A waiting range never ages out of the queue (pg-boss would archive it after its retention). */
const keepUntil = '9999-12-31T00:00:00Z';

/** Who this host is in the queue's records: several hosts may share a machine name. */
export const hostName = `${os.hostname()}/${process.pid}`;

export class RangeQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    readonly name: string,
  ) {}

  /**
   * Starts pg-boss on `pool` (creating or upgrading its schema when needed) and the job's queue.
   * Maintenance, which expires the ranges of dead hosts, runs in every host; pg-boss lets one at a time.
   */
  static async open(pool: pg.Pool, name: string, lease: Lease, onError: (error: Error) => void): Promise<RangeQueue> {
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: queueSchema,
      supervise: true,
      schedule: false,
      migrate: true,
      maintenanceIntervalSeconds: lease.maintenanceSeconds,
      // Completed ranges stay in the job table for the pass's status; archived ones are counted too.
      archiveCompletedAfterSeconds: 7 * 24 * 3600,
      deleteAfterDays: 90,
    });
    boss.on('error', onError);
    // Hosts starting together would otherwise create the same tables at once (and can deadlock doing it).
    const setup = await pool.connect();
    try {
      const lock = lockNumberSql(setupLock);
      await setup.query(lock.text, lock.values);
      try {
        await boss.start();
        await boss.createQueue(name, {
          name,
          policy: 'standard',
          retryLimit: rangeRetryLimit,
          retryDelay: 0,
          expireInSeconds: lease.seconds,
        });
        await createOwnTables(setup);
      } finally {
        const unlock = unlockNumberSql(setupLock);
        await setup.query(unlock.text, unlock.values);
      }
    } catch (error) {
      // A started pg-boss keeps its maintenance timer running: stop it, or the process never ends.
      await boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
      throw error;
    } finally {
      setup.release();
    }
    return new RangeQueue(boss, pool, name);
  }

  /** Enqueues a pass's ranges on `client`, inside the caller's transaction. */
  async enqueue(client: pg.ClientBase, ranges: readonly PlannedRange[]): Promise<void> {
    if (ranges.length === 0) return;
    const jobs = ranges.map((range, i) => ({
      name: this.name,
      data: range,
      // The pass and position: a second enqueue of the same pass would show as duplicate keys.
      singletonKey: `${range.pass}:${i}`,
      keepUntil,
    }));
    await this.boss.insert(jobs as unknown as PgBoss.JobInsert[], { db: { executeSql: (text, values) => client.query(text, values) } });
  }

  /** The next waiting range, marked active for this host; undefined when none waits. */
  async fetch(): Promise<FetchedRange | undefined> {
    // pg-boss swallows a failed fetch as "nothing to fetch"; the caller's next query finds a lost database.
    const [job] = await this.boss.fetch<PlannedRange>(this.name, { includeMetadata: true, batchSize: 1 });
    if (!job) return undefined;
    return { ...job.data, jobId: job.id, retried: job.retryCount > 0 };
  }

  /**
   * Marks a range done, inside the caller's transaction (with the rows that failed in it); false when it
   * was not active any more (another host that took it over completed it first).
   */
  async complete(client: pg.ClientBase, range: FetchedRange): Promise<boolean> {
    const done: unknown = await this.boss.complete(
      this.name,
      range.jobId,
      { host: hostName },
      { db: { executeSql: (text, values) => client.query(text, values) } },
    );
    // pg-boss 10 answers { jobs, requested, affected } though its types say void.
    return (done as { affected?: number } | undefined)?.affected !== 0;
  }

  /** Gives ranges back at once (Ctrl-C, an error): the others fetch them without waiting out the lease. */
  async release(ranges: readonly FetchedRange[]): Promise<void> {
    if (ranges.length === 0) return;
    await this.boss.fail(
      this.name,
      ranges.map((r) => r.jobId),
    );
  }

  /**
   * Keeps this host's hold on its ranges: pg-boss 10 expires an active job `expire_in` after its
   * `started_on`, so moving that forward is the heartbeat (see lease.ts).
   */
  async heartbeat(ranges: readonly FetchedRange[]): Promise<void> {
    if (ranges.length === 0) return;
    const beat = heartbeatSql(
      queueSchema,
      this.name,
      ranges.map((r) => r.jobId),
    );
    await this.pool.query(beat.text, beat.values);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: false });
  }
}
