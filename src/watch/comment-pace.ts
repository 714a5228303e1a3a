/**
 * How often a watcher writes a completed pass's snapshot to the target's comment. The state file is the
 * record a watcher resumes from; the comment only serves a state file lost later (see
 * target/target-marker.ts), and a busy watcher completes passes several times a second, each COMMENT a
 * catalog write that every session caching the table must reload. So the comment is written at the
 * first completed pass, then at most once per interval, and once more when the watcher stops. A state
 * file lost meanwhile costs the next run a catch-up from the older snapshot: the rows written in that
 * interval are compared with the target again (those it holds with the same text are skipped on the
 * server), nothing is missed.
 */
export const commentEveryMs = 60_000;

export class CommentPace {
  private lastWrite: number | undefined;
  /** A completed pass whose snapshot the comment does not hold yet. */
  private behind = false;

  constructor(private readonly everyMs = commentEveryMs) {}

  /** Asked when a pass completes: true when its snapshot is to be written now. */
  due(): boolean {
    const now = performance.now();
    if (this.lastWrite !== undefined && now - this.lastWrite < this.everyMs) {
      this.behind = true;
      return false;
    }
    this.lastWrite = now;
    this.behind = false;
    return true;
  }

  /** Whether the watcher's last completed pass is still to be written (at its stop). */
  get owed(): boolean {
    return this.behind;
  }
}
