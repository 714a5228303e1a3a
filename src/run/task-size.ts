/**
 * How many rows the next worker task gets. A task is the unit a worker sorts by length and commits, so
 * larger is better, up to the sort window; but at the end of a run, full tasks would leave cores idle
 * while the last few finish one by one (a 1600-row fp32 task is 8 s of one core). So once the rows left
 * no longer fill a task for each worker computing, each task takes its share of them (half of what is
 * left, on 2 cores), shrinking to one batch: the last tasks are small and the workers finish at about the
 * same time. Rows left is an estimate (the planner's row count, or --limit): a run that reads past it
 * has a stale estimate and no idea where the end is, so it goes back to full tasks.
 */
export interface TaskSizing {
  /** Rows of a full task: whole batches filling the sort window (config.ts rowsPerTask). */
  fullTask: number;
  batchSize: number;
  /** Rows this run expects to read in all. */
  rowsExpected: number;
  /** Tasks that compute at once. */
  computeSlots: number;
}

export function taskRowsAfter(rowsRead: number, sizing: TaskSizing): number {
  const left = sizing.rowsExpected - rowsRead;
  if (left <= 0) return sizing.fullTask;
  const share = Math.ceil(left / sizing.computeSlots / sizing.batchSize) * sizing.batchSize;
  return Math.max(sizing.batchSize, Math.min(sizing.fullTask, share));
}
