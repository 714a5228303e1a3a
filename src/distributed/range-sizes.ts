/**
 * How many rows each range of a pass gets. A range is read into worker tasks of the plain run's size
 * (pass/task-size.ts), and a task smaller than that pays the same start-up (sorting, a commit) for
 * fewer rows and pads its model runs more, so every range is whole tasks, at least one, until the
 * tail. Big enough that the queue's cost per range (a fetch and a complete, a few milliseconds) is lost
 * in the work, small enough that a host that dies loses little: each range takes a share of the rows
 * still unplanned (guided self-scheduling), capped. The tail (fewer rows left than two tasks) shrinks
 * as the plain run's last tasks do, each range taking half of what is left down to one batch, so that
 * no host idles through a long last range while the others wait.
 */
export interface RangeSizing {
  /** Rows of a full worker task: ranges are whole tasks until the tail. */
  taskRows: number;
  /** Rows of the largest range. */
  maxRows: number;
  /** Rows of the smallest range (one batch, or the task when it is smaller). */
  minRows: number;
  /** Each range takes this fraction of the rows left: 1/16 keeps up to 16 hosts busy to the end. */
  share: number;
}

/** Ranges are at most this many tasks. */
const maxTasks = 10;
/** The tail: fewer rows left than this many tasks. */
const tailTasks = 2;

export function rangeSizing(taskRows: number, batchSize: number): RangeSizing {
  return { taskRows, maxRows: taskRows * maxTasks, minRows: Math.min(batchSize, taskRows), share: 1 / 16 };
}

export function rangeSizes(rows: number, sizing: RangeSizing): number[] {
  const sizes: number[] = [];
  for (let left = rows; left > 0; ) {
    let size = left < sizing.taskRows * tailTasks ? tailSize(left, sizing) : bodySize(left, sizing);
    // A remainder smaller than the smallest range joins this one.
    if (left - size < sizing.minRows) size = left;
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/** Whole tasks: the share of what is left, rounded down, at least one task and at most the cap. */
function bodySize(left: number, sizing: RangeSizing): number {
  const tasks = Math.floor((left * sizing.share) / sizing.taskRows);
  return Math.min(sizing.maxRows, Math.max(1, tasks) * sizing.taskRows);
}

/** Half of what is left in whole batches, at least one batch. */
function tailSize(left: number, sizing: RangeSizing): number {
  return Math.max(sizing.minRows, Math.ceil(left / 2 / sizing.minRows) * sizing.minRows);
}
