/**
 * The state file (SQLite, WAL, fsync at every commit). The target table holds the truth; this file
 * remembers how far a job got so that a rerun reads only what is left: the watermark (every row with
 * an id up to it is committed), the committed ranges above it (batches finish out of order), failed
 * rows, a lock so that two runs cannot work on one job, and a history of runs.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from './errors.js';

/** What makes two runs the same job: same rows in, same model, same place out. */
export interface JobIdentity {
  database: string;
  source: string;
  idColumn: string;
  textColumn: string;
  target: string;
  model: string;
  modelHash: string;
  dimension: number;
}

/** Ids are opaque text here: only PostgreSQL compares them, in the id column's own type and order. */
export interface IdRange {
  /** Exclusive lower bound; null for "from the start". */
  after: string | null;
  last: string;
}

export interface JobProgress {
  watermark: string | null;
  ranges: IdRange[];
  rowsDone: number;
}

export interface RunSummary {
  rows: number;
  skipped: number;
  failed: number;
  rowsPerSecond: number;
  outcome: 'completed' | 'interrupted' | 'failed';
}

const schema = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  identity TEXT NOT NULL,
  watermark TEXT,
  rows_done INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS ranges (
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  after TEXT,
  last TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ranges_job ON ranges(job_id);
CREATE TABLE IF NOT EXISTS failures (
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  row_id TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  last_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (job_id, row_id)
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  started_at TEXT NOT NULL DEFAULT (datetime('now')),
  ended_at TEXT,
  rows INTEGER,
  skipped INTEGER,
  failed INTEGER,
  rows_per_second REAL,
  outcome TEXT
);
CREATE TABLE IF NOT EXISTS locks (
  job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  since TEXT NOT NULL DEFAULT (datetime('now'))
);
`;

export class StateStore {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  static open(file: string): StateStore {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      // A batch is reported done only after this commit reaches the disk.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.exec(schema);
    } catch (cause) {
      throw new StateError(`state file ${file} is unreadable (${(cause as Error).message}); move it away or pass --state NEW_PATH`, {
        cause,
      });
    }
    return new StateStore(db, file);
  }

  job(identity: JobIdentity): JobState {
    const key = JSON.stringify(identity);
    this.db.prepare('INSERT INTO jobs (key, identity) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, key);
    const row = this.db.prepare('SELECT id FROM jobs WHERE key = ?').get(key) as { id: number };
    return new JobState(this.db, row.id);
  }

  close(): void {
    this.db.close();
  }
}

export class JobState {
  constructor(
    private readonly db: Database.Database,
    readonly id: number,
  ) {}

  progress(): JobProgress {
    const job = this.db.prepare('SELECT watermark, rows_done AS rowsDone FROM jobs WHERE id = ?').get(this.id) as {
      watermark: string | null;
      rowsDone: number;
    };
    const ranges = this.db.prepare('SELECT after, last FROM ranges WHERE job_id = ? ORDER BY rowid').all(this.id) as IdRange[];
    return { watermark: job.watermark, ranges, rowsDone: job.rowsDone };
  }

  /** Takes the job's lock, or says which live process holds it. A lock left by a dead process is taken over. */
  lock(): void {
    const take = this.db.transaction(() => {
      const holder = this.db.prepare('SELECT pid, host, since FROM locks WHERE job_id = ?').get(this.id) as
        | { pid: number; host: string; since: string }
        | undefined;
      if (holder && holder.pid !== process.pid && (holder.host !== os.hostname() || isAlive(holder.pid))) {
        throw new StateError(
          `another embed run (pid ${holder.pid} on ${holder.host}, since ${holder.since} UTC) is working on this job; wait for it to finish or stop it`,
        );
      }
      this.db
        .prepare('INSERT INTO locks (job_id, pid, host) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET pid = excluded.pid, host = excluded.host, since = datetime(\'now\')')
        .run(this.id, process.pid, os.hostname());
    });
    take.immediate();
  }

  unlock(): void {
    this.db.prepare('DELETE FROM locks WHERE job_id = ? AND pid = ?').run(this.id, process.pid);
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

  recordFailure(rowId: string, error: string): void {
    this.db
      .prepare(
        `INSERT INTO failures (job_id, row_id, error) VALUES (?, ?, ?)
         ON CONFLICT (job_id, row_id) DO UPDATE SET error = excluded.error, attempts = attempts + 1, last_at = datetime('now')`,
      )
      .run(this.id, rowId, error);
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
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
