/**
 * The loop's ledger for a distributed run: instead of a watermark it knows which range each task came
 * from, and hands a range over for completion once it has been read to its end and every task of it
 * has committed (with the rows of it that failed).
 */
import type { IdRange } from '../source/row-values.js';
import type { FailedRow } from './host-records.js';
import type { FetchedRange } from './range-queue.js';

export interface RangeWork {
  range: FetchedRange;
  rows: number;
  failed: FailedRow[];
}

interface Open extends RangeWork {
  tasks: number;
  readToEnd: boolean;
}

export class RangeLedger {
  private current: Open | undefined;
  private readonly tasks = new Map<number, { work: Open; rows: number }>();
  private nextSeq = 0;
  /** Failures reported for the task about to be committed (the loop records them first). */
  private failedInTask: FailedRow[] = [];

  constructor(
    private readonly onRangeDone: (work: RangeWork) => void,
    /** Told each time a task commits: the rows of its range committed so far. */
    private readonly onCommitted: (range: FetchedRange, rows: number) => void = () => undefined,
  ) {}

  /** The next tasks opened belong to this range. */
  begin(range: FetchedRange): void {
    this.current = { range, rows: 0, failed: [], tasks: 0, readToEnd: false };
  }

  /** Every row of the current range has been read (and its tasks opened). */
  endRead(): void {
    const work = this.current!;
    this.current = undefined;
    work.readToEnd = true;
    this.settle(work);
  }

  open(_last: string, rows: number): number {
    const work = this.current;
    if (!work) throw new Error('a task was opened outside any range');
    const seq = this.nextSeq++;
    this.tasks.set(seq, { work, rows });
    work.tasks++;
    return seq;
  }

  recordFailure(id: string, error: string): void {
    this.failedInTask.push({ id, error });
  }

  commit(seq: number): number {
    const task = this.tasks.get(seq);
    if (!task) throw new Error(`task ${seq} is not in flight`);
    this.tasks.delete(seq);
    task.work.tasks--;
    task.work.rows += task.rows;
    task.work.failed.push(...this.failedInTask);
    this.failedInTask = [];
    this.onCommitted(task.work.range, task.work.rows);
    this.settle(task.work);
    return task.rows;
  }

  /** Progress lives in the queue: there is no watermark to keep. */
  get currentWatermark(): string | null {
    return null;
  }

  get ranges(): IdRange[] {
    return [];
  }

  private settle(work: Open): void {
    if (work.readToEnd && work.tasks === 0) this.onRangeDone({ range: work.range, rows: work.rows, failed: work.failed });
  }
}
