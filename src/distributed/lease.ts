/**
 * How long a host's hold on a range lasts without news from it. pg-boss 10 has no heartbeat of its own:
 * a fetched job stays active until `started_on + expire_in`, and its maintenance (run by one host at a
 * time, every `maintenanceSeconds`) then puts it back for the others. So a live host refreshes the
 * start time of the ranges it holds every `heartbeatMs`, and a dead host's ranges come back within
 * `takeoverSeconds` of its last heartbeat, however long a range takes to embed.
 */
export interface Lease {
  seconds: number;
  heartbeatMs: number;
  maintenanceSeconds: number;
  /** How often a host with nothing to fetch asks again while other hosts hold ranges. */
  pollMs: number;
  /** The bound on a dead host's ranges coming back: lease, plus one maintenance interval, plus one poll. */
  takeoverSeconds: number;
}

export function lease(seconds: number): Lease {
  const maintenanceSeconds = Math.max(1, Math.floor(seconds / 3));
  const pollMs = Math.min(1000, seconds * 250);
  return {
    seconds,
    heartbeatMs: (seconds * 1000) / 3,
    maintenanceSeconds,
    pollMs,
    takeoverSeconds: seconds + maintenanceSeconds + pollMs / 1000,
  };
}
