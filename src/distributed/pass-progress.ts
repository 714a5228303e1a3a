/**
 * A host's progress bar counts the pass, not the host: rows done by every host against the pass's
 * planned rows, so the ETA is the pass's rows left over the job's rate: every host's rows since this host
 * started, over this host's time (counted from the command's start, as a plain run's is).
 *
 * Each row is counted once, however many hosts took its range up (a host paused or cut off whose range
 * another host redid): a range counts its planned rows once it is completed, whoever completed it, and
 * until then only this host's committed rows of it, up to its planned rows. The queue is read every few
 * seconds for the ranges other hosts completed.
 */
import type pg from 'pg';
import { createProgress } from '../pass/progress.js';
import { queueSchema } from './queue-schema.js';
import { completedRangesSql } from './queue-sql.js';
import { hostName, type FetchedRange } from './range-queue.js';

const pollMs = 2000;

type RangeRef = Pick<FetchedRange, 'jobId' | 'rows'>;

/** The pass's rows done, as this host knows them; never more than the pass's planned rows. */
export class PassCounter {
  /** Planned rows of the ranges other hosts completed, as last read from the queue. */
  private byOthers = 0;
  /** Planned rows of the ranges this host completed (the completion took effect here). */
  private byThisHost = 0;
  /** Ranges this host has committed rows of and not seen completed: rows committed, up to planned. */
  private readonly open = new Map<string, { planned: number; rows: number }>();
  /** Ranges known completed: a late commit of this host into one of them counts nothing more. */
  private readonly ended = new Set<string>();

  constructor(readonly total: number) {}

  /** `rows` of `range` are committed by this host (counted from the range's fetch). */
  committed(range: RangeRef, rows: number): void {
    if (this.ended.has(range.jobId)) return;
    const before = this.open.get(range.jobId)?.rows ?? 0;
    this.open.set(range.jobId, { planned: range.rows, rows: Math.max(before, Math.min(rows, range.rows)) });
  }

  /** This host tried to complete `range`: `here` when the completion took effect (else another host's did). */
  completed(range: RangeRef, here: boolean): void {
    this.open.delete(range.jobId);
    this.ended.add(range.jobId);
    if (here) this.byThisHost += range.rows;
  }

  /** The queue's word: planned rows of the ranges other hosts completed, and which of `openRanges()` they are. */
  othersCompleted(plannedRows: number, completedOpenRanges: Iterable<string>): void {
    this.byOthers = plannedRows;
    for (const id of completedOpenRanges) {
      this.open.delete(id);
      this.ended.add(id);
    }
  }

  /** Ranges this host counts rows of that are not known to be completed. */
  openRanges(): string[] {
    return [...this.open.keys()];
  }

  get done(): number {
    let rows = this.byOthers + this.byThisHost;
    for (const range of this.open.values()) rows += range.rows;
    return Math.min(rows, this.total);
  }
}

/** What the host loop tells the progress bar. */
export interface PassTally {
  committed(range: RangeRef, rows: number): void;
  completed(range: RangeRef, here: boolean): void;
  stop(): void;
}

export async function passProgress(
  pool: pg.Pool,
  queue: string,
  pass: { number: number; rows: number },
  options: { quiet: boolean; startedAt: number },
): Promise<PassTally> {
  const counter = new PassCounter(pass.rows);
  if (options.quiet) return { committed: () => undefined, completed: () => undefined, stop: () => undefined };
  const readQueue = async () => {
    const completed = completedRangesSql(queueSchema, queue, pass.number, hostName, counter.openRanges());
    const row = (await pool.query<{ rows: string; completed: string[] }>(completed.text, completed.values)).rows[0]!;
    counter.othersCompleted(Number(row.rows), row.completed);
  };
  await readQueue();
  const doneAtStart = counter.done;
  const bar = createProgress(pass.rows, {
    quiet: false,
    rowsBefore: doneAtStart,
    startedAt: options.startedAt,
    label: `pass ${pass.number}, all hosts`,
  });
  const show = () => bar.update(counter.done - doneAtStart);
  const poll = setInterval(() => readQueue().then(show, () => undefined), pollMs);
  poll.unref();
  return {
    committed(range, rows) {
      counter.committed(range, rows);
      show();
    },
    completed(range, here) {
      counter.completed(range, here);
      show();
    },
    stop() {
      clearInterval(poll);
      bar.stop();
    },
  };
}
