/**
 * How many rows each range of a pass gets. Big enough that the queue's cost per range (a fetch and a
 * complete, a few milliseconds) is lost in the work, small enough that a host that dies loses little
 * and that hosts finish together: each range takes a share of the rows still unplanned (guided
 * self-scheduling), capped, so the last ranges of a pass shrink down to one batch and no host idles
 * through a long last range while the others wait.
 */
export interface RangeSizing {
  /** Rows of the largest range. */
  maxRows: number;
  /** Rows of the smallest range (one batch). */
  minRows: number;
  /** Each range takes this fraction of the rows left: 1/16 keeps up to 16 hosts busy to the end. */
  share: number;
}

export function rangeSizing(taskRows: number, batchSize: number): RangeSizing {
  return { maxRows: taskRows * 10, minRows: Math.min(batchSize, taskRows), share: 1 / 16 };
}

export function rangeSizes(rows: number, sizing: RangeSizing): number[] {
  const sizes: number[] = [];
  for (let left = rows; left > 0; ) {
    let size = Math.min(left, Math.max(sizing.minRows, Math.min(sizing.maxRows, Math.ceil(left * sizing.share))));
    // A remainder smaller than the smallest range joins this one.
    if (left - size < sizing.minRows) size = left;
    sizes.push(size);
    left -= size;
  }
  return sizes;
}
