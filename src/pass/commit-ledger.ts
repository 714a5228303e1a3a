/**
 * Turns batches that commit out of order into the state file's picture: the watermark advances only
 * over an unbroken run of committed batches from the oldest one dispatched; batches committed past a
 * gap are kept as ranges. Batches are numbered in id order, so no id ever needs comparing here.
 */
import type { IdRange } from '../source/row-values.js';

interface Pending extends IdRange {
  rows: number;
  committed: boolean;
}

export class CommitLedger {
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 0;
  private oldestSeq = 0;
  private lastOpened: string | null = null;

  /**
   * @param watermark where this run starts reading
   * @param carriedRanges ranges committed by earlier runs; kept until the whole table has been read
   */
  constructor(
    private watermark: string | null,
    private carriedRanges: IdRange[],
  ) {}

  /** Registers the next batch in id order; it covers (previous batch's last id, last]. */
  open(last: string, rows: number): number {
    // Until the first batch opens, nothing can have committed, so the watermark is still the run's start.
    const after = this.lastOpened ?? this.watermark;
    const seq = this.nextSeq++;
    this.pending.set(seq, { after, last, rows, committed: false });
    this.lastOpened = last;
    return seq;
  }

  /** Marks a batch committed; returns the rows that became durable with it. */
  commit(seq: number): number {
    const batch = this.pending.get(seq);
    if (!batch || batch.committed) throw new Error(`batch ${seq} is not in flight`);
    batch.committed = true;
    while (this.pending.get(this.oldestSeq)?.committed) {
      this.watermark = this.pending.get(this.oldestSeq)!.last;
      this.pending.delete(this.oldestSeq++);
    }
    return batch.rows;
  }

  /** The whole table has been read and every batch committed: earlier runs' ranges are all below the end. */
  finish(finalWatermark: string | null): void {
    if (this.pending.size > 0) throw new Error('batches still in flight');
    this.carriedRanges = [];
    if (finalWatermark !== null) this.watermark = finalWatermark;
  }

  get currentWatermark(): string | null {
    return this.watermark;
  }

  get ranges(): IdRange[] {
    const committedAhead = [...this.pending.values()].filter((b) => b.committed).map(({ after, last }) => ({ after, last }));
    return [...this.carriedRanges, ...committedAhead];
  }
}
