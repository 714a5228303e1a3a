/**
 * One job's rows in the state file: its progress (watermark, committed ranges, target generation, the
 * snapshots of the pass in progress and of the last complete one: see change-capture/), failed rows,
 * lock and runs. The file itself (schema, corruption, finding a job) is state-store.ts.
 */
import os from 'node:os';
import type Database from 'better-sqlite3';
import { StateError } from '../../common/errors.js';
import { progressFrom, snapshotColumn, type IdRange, type JobProgress, type PassStart, type ProgressRow } from './job-progress.js';
import type { JobIdentity } from './job-identity.js';
import { WatchRecords } from './watch-record.js';

export type { IdRange, JobProgress, PassStart } from './job-progress.js';
export type { JobIdentity } from './job-identity.js';

export interface FailedRow {
  rowId: string;
  error: string;
  attempts: number;
  lastAt: string;
}

/** A run as recorded; the counts are null while it runs, and stay null if it was killed outright. */
export interface RunRecord {
  startedAt: string;
  endedAt: string | null;
  rows: number | null;
  skipped: number | null;
  failed: number | null;
  rowsPerSecond: number | null;
  outcome: RunSummary['outcome'] | null;
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface RunSummary {
  rows: number;
  skipped: number;
  failed: number;
  rowsPerSecond: number;
  outcome: 'completed' | 'interrupted' | 'failed';
}

export class JobState {
  constructor(
    private readonly db: Database.Database,
    readonly id: number,
    readonly identity: JobIdentity,
  ) {}

  progress(): JobProgress {
    const row = this.db
      .prepare(
        `SELECT watermark, rows_done AS rowsDone, check_target AS checkTarget, generation, pass_open AS passOpen,
                pass_since AS passSince, pass_snapshot AS passSnapshot, snapshot FROM jobs WHERE id = ?`,
      )
      .get(this.id) as ProgressRow;
    const ranges = this.db.prepare('SELECT after, last FROM ranges WHERE job_id = ? ORDER BY rowid').all(this.id) as IdRange[];
    return progressFrom(row, ranges);
  }

  /**
   * Starts a pass from the first row, forgetting the watermark and ranges, in one transaction: after a
   * crash the file holds either the old progress or the new pass, never a mix.
   */
  startPass(pass: PassStart): void {
    const start = this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE jobs SET watermark = NULL, rows_done = 0, check_target = ?, generation = ?, pass_open = 1, pass_since = ?,
                  pass_snapshot = ?, updated_at = datetime('now') WHERE id = ?`,
        )
        .run(pass.checkTarget ? 1 : 0, pass.generation, snapshotColumn(pass.since), snapshotColumn(pass.snapshot), this.id);
      this.db.prepare('DELETE FROM ranges WHERE job_id = ?').run(this.id);
    });
    start.immediate();
  }

  /**
   * The pass read the whole table: its snapshot becomes the one later runs catch up from (none, when it
   * had none: the next run then compares every row).
   */
  completePass(watermark: string | null): void {
    const complete = this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE jobs SET watermark = ?, check_target = 0, pass_open = 0, pass_since = NULL, snapshot = pass_snapshot,
                  pass_snapshot = NULL, updated_at = datetime('now') WHERE id = ?`,
        )
        .run(watermark, this.id);
      this.db.prepare('DELETE FROM ranges WHERE job_id = ?').run(this.id);
    });
    complete.immediate();
  }

  /** Who holds the job's lock, if a live process does. */
  lockHolder(): LockHolder | undefined {
    const holder = this.db.prepare('SELECT pid, host, since FROM locks WHERE job_id = ?').get(this.id) as LockHolder | undefined;
    return holder && (holder.host !== os.hostname() || isAlive(holder.pid)) ? holder : undefined;
  }

  /** Forgets the job entirely: progress, failures, runs and lock. */
  forget(): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(this.id);
  }

  /** Takes the job's lock, or says which live process holds it. A lock left by a dead process is taken over. */
  lock(): void {
    const refuseIfHeld = () => {
      const holder = this.lockHolder();
      if (holder && holder.pid !== process.pid) {
        throw new StateError(
          `another embed run (pid ${holder.pid} on ${holder.host}, since ${holder.since} UTC) is working on this job; wait for it to finish or stop it`,
        );
      }
    };
    // A read first, which never waits: the holder may be stalled in the middle of a write.
    refuseIfHeld();
    const take = this.db.transaction(() => {
      refuseIfHeld();
      this.db
        .prepare(
          "INSERT INTO locks (job_id, pid, host) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET pid = excluded.pid, host = excluded.host, since = datetime('now')",
        )
        .run(this.id, process.pid, os.hostname());
    });
    take.immediate();
  }

  /** Releases the lock if this process holds it; a run refused the lock writes nothing. */
  unlock(): void {
    const mine = this.db.prepare('SELECT 1 FROM locks WHERE job_id = ? AND pid = ?').get(this.id, process.pid);
    if (mine) this.db.prepare('DELETE FROM locks WHERE job_id = ? AND pid = ?').run(this.id, process.pid);
  }

  /** Saves progress in one transaction: the new watermark, the full set of ranges above it, rows added. */
  saveProgress(watermark: string | null, ranges: readonly IdRange[], rowsAdded: number): void {
    const save = this.db.transaction(() => {
      this.db
        .prepare("UPDATE jobs SET watermark = ?, rows_done = rows_done + ?, updated_at = datetime('now') WHERE id = ?")
        .run(watermark, rowsAdded, this.id);
      this.db.prepare('DELETE FROM ranges WHERE job_id = ?').run(this.id);
      const insert = this.db.prepare('INSERT INTO ranges (job_id, after, last) VALUES (?, ?, ?)');
      for (const range of ranges) insert.run(this.id, range.after, range.last);
    });
    save.immediate();
  }

  failures(): FailedRow[] {
    return this.db
      .prepare('SELECT row_id AS rowId, error, attempts, last_at AS lastAt FROM failures WHERE job_id = ? ORDER BY last_at, rowid')
      .all(this.id) as FailedRow[];
  }

  failureCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM failures WHERE job_id = ?').get(this.id) as { n: number }).n;
  }

  /** Rows that are embedded now (or gone from the source) are no longer failures. */
  clearFailures(rowIds: readonly string[]): void {
    const clear = this.db.transaction(() => {
      const remove = this.db.prepare('DELETE FROM failures WHERE job_id = ? AND row_id = ?');
      for (const rowId of rowIds) remove.run(this.id, rowId);
    });
    clear.immediate();
  }

  recordFailure(rowId: string, error: string): void {
    this.db
      .prepare(
        `INSERT INTO failures (job_id, row_id, error) VALUES (?, ?, ?)
         ON CONFLICT (job_id, row_id) DO UPDATE SET error = excluded.error, attempts = attempts + 1, last_at = datetime('now')`,
      )
      .run(this.id, rowId, error);
  }

  /** What a watcher on this job last reported (see watch-record.ts). */
  watchRecords(): WatchRecords {
    return new WatchRecords(this.db, this.id);
  }

  startRun(): number {
    return Number(this.db.prepare('INSERT INTO runs (job_id) VALUES (?)').run(this.id).lastInsertRowid);
  }

  endRun(runId: number, summary: RunSummary): void {
    this.db
      .prepare(
        `UPDATE runs SET ended_at = datetime('now'), rows = ?, skipped = ?, failed = ?, rows_per_second = ?, outcome = ? WHERE id = ?`,
      )
      .run(summary.rows, summary.skipped, summary.failed, summary.rowsPerSecond, summary.outcome, runId);
  }

  /** The most recent run, finished or not (a run killed outright has no end). */
  lastRun(): RunRecord | undefined {
    return this.db
      .prepare(
        `SELECT started_at AS startedAt, ended_at AS endedAt, rows, skipped, failed, rows_per_second AS rowsPerSecond, outcome
           FROM runs WHERE job_id = ? ORDER BY id DESC LIMIT 1`,
      )
      .get(this.id) as RunRecord | undefined;
  }

  /** The most recent run that embedded rows and so measured a speed: a run with nothing to do did not. */
  lastMeasuredRun(): RunRecord | undefined {
    return this.db
      .prepare(
        `SELECT started_at AS startedAt, ended_at AS endedAt, rows, skipped, failed, rows_per_second AS rowsPerSecond, outcome
           FROM runs WHERE job_id = ? AND rows > 0 AND rows_per_second > 0 ORDER BY id DESC LIMIT 1`,
      )
      .get(this.id) as RunRecord | undefined;
  }

  /** The speed of the last measured run, for an ETA. */
  lastRate(): number | undefined {
    return this.lastMeasuredRun()?.rowsPerSecond ?? undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
