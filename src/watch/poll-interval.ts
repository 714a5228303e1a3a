/**
 * How long a watcher waits before looking again: short while changes arrive, growing by half each time
 * a look finds nothing, up to the idle interval. A notification (with the trigger) ends the wait early.
 */
export interface PollBounds {
  minMs: number;
  maxMs: number;
}

export const pollBounds: PollBounds = { minMs: 250, maxMs: 5000 };

export function nextPollInterval(currentMs: number, foundChanges: boolean, bounds: PollBounds = pollBounds): number {
  if (foundChanges) return bounds.minMs;
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, Math.round(currentMs * 1.5)));
}
