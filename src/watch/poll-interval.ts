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

/**
 * How long to wait before the next look: a look starts at most once per interval and, since finding work
 * scans the table, no sooner than twice the time the last look took to find it, both counted from that
 * look's start (looking then takes at most half of the watcher's time). A look whose pass ran past that
 * is followed by the next at once.
 */
export function pollWaitMs(intervalMs: number, lastFindingMs: number, sinceLookStartedMs: number): number {
  return Math.max(0, Math.max(intervalMs, 2 * lastFindingMs) - sinceLookStartedMs);
}
