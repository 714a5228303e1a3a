/**
 * How many rows the next worker task gets. A task is the unit a worker sorts by length and commits, so
 * larger is better, up to the sort window; but at the end of a run, full tasks would leave cores idle
 * while the last few finish one by one (a 1600-row fp32 task is 8 s of one core). So once the rows left
 * no longer fill every task the pool holds at once, each task takes its share of them (a quarter of what
 * is left, on 2 cores), shrinking to one batch: the last tasks are small and the workers finish at about
 * the same time. The share is of the tasks the pool holds, not of the workers computing, because a task
 * is queued behind the one its worker computes: sized for the workers alone, the last large tasks waited
 * behind others while a worker that had finished went idle. Rows left is an estimate (the planner's row count, or --limit): a run that reads past it
 * has a stale estimate and no idea where the end is, so it goes back to full tasks.
 *
 * A pass that fits in the tasks the pool holds at once (a watcher's look, a small table) is dispatched
 * whole into an idle pool, so it is cut into equal tasks, as many as the pool holds (fewer for fewer than
 * a batch each): spread over the workers computing (see packing-balancer.ts), each gets the same rows.
 * Shares that halve would leave one worker the first and largest task and another the small ones.
 */
export interface TaskSizing {
  /** Rows of a full task: whole batches filling the sort window (config.ts rowsPerTask). */
  fullTask: number;
  batchSize: number;
  /** Rows this run expects to read in all. */
  rowsExpected: number;
  /** Tasks the pool holds at once (computing, or writing and committing). */
  tasksInFlight: number;
}

export function taskRowsAfter(rowsRead: number, sizing: TaskSizing): number {
  const left = sizing.rowsExpected - rowsRead;
  if (left <= 0) return sizing.fullTask;
  if (fitsInPool(sizing)) {
    const tasks = Math.min(sizing.tasksInFlight, Math.ceil(sizing.rowsExpected / sizing.batchSize));
    return Math.ceil(sizing.rowsExpected / tasks);
  }
  const share = Math.ceil(left / sizing.tasksInFlight / sizing.batchSize) * sizing.batchSize;
  return Math.max(sizing.batchSize, Math.min(sizing.fullTask, share));
}

/**
 * The task sizes of a pass. Once the read says the page in hand is the last (it came back short of rows,
 * not cut by its bytes), the rows of the pass are known, whatever was counted before (a watcher's look
 * counts, then also reads the rows committed in between).
 */
export function passTaskRows(sizing: TaskSizing, lastPageInHand: () => boolean): (rowsRead: number, pageRowsLeft: number) => number {
  return (rowsRead, pageRowsLeft) =>
    taskRowsAfter(rowsRead, lastPageInHand() ? { ...sizing, rowsExpected: rowsRead + pageRowsLeft } : sizing);
}

/**
 * The text a task holds at most, in UTF-16 code units (a longer row is a task of its own): tasks of short
 * texts never reach it, while a worker never holds more than a few MB of long texts at once, nor their chunks' tokens
 * and vectors, which a task keeps until it commits.
 */
export const TASK_TEXT_UNITS = 512 * 1024;

/**
 * How many of the `rows` rows of `page` from `start` a task takes: all of them when their text is within
 * the budget, else an equal part of their text (as many parts as the budget makes of it), one row at
 * least. Equal parts, because a task cut at the budget would leave a sliver after it, and a pass of long
 * texts that ends on slivers and full tasks leaves one core idle while the other finishes.
 */
export function rowsWithinTaskText(
  page: readonly { text: string | null }[],
  start: number,
  rows: number,
  budget = TASK_TEXT_UNITS,
): number {
  const end = Math.min(page.length, start + rows);
  let total = 0;
  for (let i = start; i < end; i++) total += page[i]!.text?.length ?? 0;
  if (total <= budget) return end - start;
  const part = total / Math.ceil(total / budget);
  let units = 0;
  for (let i = start; i < end; i++) {
    units += page[i]!.text?.length ?? 0;
    if (units > part) return Math.max(1, i - start);
  }
  return end - start;
}

/**
 * Rows per page read: a pass the pool holds at once is read in one page as large as the pool holds, so
 * that no task is cut at a page's end and a page that comes back short gives the pass's exact size.
 */
export function pageRows(sizing: TaskSizing): number {
  return fitsInPool(sizing) ? sizing.tasksInFlight * sizing.fullTask : sizing.fullTask;
}

function fitsInPool(sizing: TaskSizing): boolean {
  return sizing.rowsExpected <= sizing.tasksInFlight * sizing.fullTask;
}
