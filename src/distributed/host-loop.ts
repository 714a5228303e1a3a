/**
 * One host's share of a pass: fetch a range, read and embed it with this host's pool (the same loop as
 * a single-host run), complete it once all its rows are committed, fetch the next; ranges are fetched
 * as the loop needs rows, so the workers never wait for a range to end. With nothing left to fetch the
 * host waits while other hosts hold ranges, and takes over those that come back (their host died or
 * stopped). It returns when no range of the pass waits or runs, or once the user asked to stop; the
 * ranges it still holds then are released to the others.
 */
import type pg from 'pg';
import { sleep } from '../../common/backoff.js';
import { firstLine } from '../../common/errors.js';
import type { BatchResult, BatchTask } from '../../common/batch-task.js';
import type { RowKind } from '../source/row-values.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import type { Queryable } from '../db/database.js';
import { emptyLoopStats, runEmbedLoop, type LoopStats } from '../pass/embed-loop.js';
import type { SourceRow } from '../source/row-reader.js';
import type { SourceTable } from '../source/source-table.js';
import type { TargetInfo } from '../target/target-table.js';
import { unfinishedRanges, type Pass } from './distributed-job.js';
import { completeRange, markSeen } from './host-records.js';
import type { Lease } from './lease.js';
import { RangeLedger, type RangeWork } from './range-ledger.js';
import type { FetchedRange, RangeQueue } from './range-queue.js';
import { readRange } from './range-reader.js';

export interface HostLoopInput {
  queue: RangeQueue;
  /** Connections for the queue (pg-boss runs on them too). */
  queuePool: pg.Pool;
  pass: Pass;
  lease: Lease;
  /** Where rows are read: waits for a lost database like a single-host run's reads. */
  db: Queryable;
  source: SourceTable;
  /** The target: which rows it does not hold yet (TargetInfo.pendingSql), and the kind of a row read. */
  target: TargetInfo;
  sendTask: (task: BatchTask) => Promise<BatchResult>;
  breaker: CircuitBreaker;
  taskRows: number;
  maxInFlight: number;
  stopRequested: () => boolean;
  /** Told of each range's rows as they commit, and of its completion (`here`: this host's took effect). */
  progress: { committed(range: FetchedRange, rows: number): void; completed(range: FetchedRange, here: boolean): void };
  warn: (line: string) => void;
}

export interface HostStats extends LoopStats {
  rangesDone: number;
}

export async function runHost(input: HostLoopInput): Promise<HostStats> {
  const { queue, queuePool, pass, lease, breaker } = input;
  const held = new Map<string, FetchedRange>();
  const completions = new Set<Promise<void>>();
  let rangesDone = 0;

  const complete = (work: RangeWork) => {
    const done = breaker
      .retry(() => completeRange(queuePool, queue, work.range, work))
      .then(
        (here) => {
          rangesDone++;
          input.progress.completed(work.range, here);
        },
        (error: unknown) => input.warn(`could not mark a range done (${firstLine(error)}); another host redoes it after the lease`),
      );
    // Held no more either way: a range that could not be marked done expires and is fetched again.
    const settled = done.finally(() => {
      held.delete(work.range.jobId);
      completions.delete(settled);
    });
    completions.add(settled);
  };
  const ledger = new RangeLedger(complete, (range, rows) => input.progress.committed(range, rows));

  // Set once the loop is over: a fetch still waiting for ranges gives up.
  let closing = false;
  const next = async (): Promise<FetchedRange | undefined> => {
    for (;;) {
      if (input.stopRequested() || closing) return undefined;
      const range = await breaker.retry(() => queue.fetch());
      if (range) {
        held.set(range.jobId, range);
        return range;
      }
      const othersHold = await breaker.retry(() => unfinishedRanges(queuePool, queue.name, pass.number, [...held.keys()]));
      if (othersHold === 0) return undefined;
      await sleep(lease.pollMs);
    }
  };

  // A range is fetched only when the loop asks for rows: the tasks already in flight keep the pool busy
  // through the fetch, and a range fetched early would sit on this host while another host runs dry at
  // the end of the pass.
  async function* pages(): AsyncGenerator<SourceRow[]> {
    for (;;) {
      const range = await next();
      if (!range) return;
      ledger.begin(range);
      // A range fetched again may be partly in the target already: those rows are skipped on the server.
      const checkTarget = pass.checkTarget || range.retried;
      for await (const page of readRange(input.db, input.source, range, input.target, { pageSize: input.taskRows, checkTarget }))
        yield page;
      ledger.endRead();
    }
  }

  const heartbeat = setInterval(() => {
    void Promise.all([queue.heartbeat([...held.values()]), markSeen(queuePool, queue.name, pass.number)]).catch(() => undefined);
  }, lease.heartbeatMs);

  const total = emptyLoopStats();
  try {
    for (;;) {
      let stats: LoopStats;
      try {
        stats = await runEmbedLoop({
          pages: pages(),
          sendTask: input.sendTask,
          breaker,
          ledger,
          job: { saveProgress: () => undefined, recordFailure: (id, error) => ledger.recordFailure(id, error) },
          taskRows: () => input.taskRows,
          maxInFlight: input.maxInFlight,
          stopRequested: input.stopRequested,
          onProgress: () => undefined,
        });
      } finally {
        while (completions.size > 0) await Promise.all(completions);
      }
      add(total, stats);
      if (input.stopRequested()) break;
      // Normally nothing is left; a range this host could not mark done comes back after its lease.
      if ((await breaker.retry(() => unfinishedRanges(queuePool, queue.name, pass.number))) === 0) break;
      await sleep(lease.pollMs);
    }
  } finally {
    closing = true;
    clearInterval(heartbeat);
    const left = [...held.values()];
    held.clear();
    await queue.release(left).catch((error: unknown) => {
      input.warn(`could not release ${left.length} range(s) (${firstLine(error)}); the other hosts take them over after the lease`);
    });
  }
  return { ...total, rangesDone };
}

/** A host's counts before it has done anything. */
export function noHostStats(): HostStats {
  return { ...emptyLoopStats(), rangesDone: 0 };
}

function add(total: LoopStats, more: LoopStats): void {
  for (const key of Object.keys(total) as (keyof LoopStats)[]) {
    if (key === 'lastRead') total.lastRead = more.lastRead ?? total.lastRead;
    else if (key === 'workersUsed') total.workersUsed = Math.max(total.workersUsed, more.workersUsed);
    else if (key === 'rowsByKind')
      for (const kind of Object.keys(total.rowsByKind) as RowKind[]) total.rowsByKind[kind] += more.rowsByKind[kind];
    else total[key] += more[key];
  }
}
