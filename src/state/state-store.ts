/**
 * The state file (SQLite, WAL, fsync at every commit). The target table holds the truth; this file
 * remembers how far a job got so that a rerun reads only what is left: the watermark (every row with
 * an id up to it is committed), the committed ranges above it (batches finish out of order), the
 * target generation that progress belongs to (see src/target/target-marker.ts), failed rows, a lock so that two
 * runs cannot work on one job, and a history of runs. This file opens it; job-state.ts reads and writes a job.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../../common/errors.js';
import { JobState, type JobIdentity } from './job-state.js';
import { addedWatchColumns, watchSchema } from './watch-record.js';

export interface OpenOptions {
  /**
   * What to do with a file that is not a SQLite database or fails its integrity check: move it aside
   * (to FILE.corrupt-TIMESTAMP) and start an empty one, or refuse.
   */
  ifCorrupt: 'move-aside' | 'refuse';
  /** Refuse rather than create a missing file (commands that only read progress). */
  mustExist?: boolean;
}

const schema = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  identity TEXT NOT NULL,
  watermark TEXT,
  rows_done INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  check_target INTEGER NOT NULL DEFAULT 0,
  generation TEXT,
  pass_open INTEGER NOT NULL DEFAULT 0,
  pass_since TEXT,
  pass_snapshot TEXT,
  snapshot TEXT,
  profile TEXT
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
${watchSchema}`;

/** Columns added after the first release of the file, added in place to older files. */
const addedColumns: Record<string, string> = {
  check_target: 'ALTER TABLE jobs ADD COLUMN check_target INTEGER NOT NULL DEFAULT 0',
  generation: 'ALTER TABLE jobs ADD COLUMN generation TEXT',
  pass_open: 'ALTER TABLE jobs ADD COLUMN pass_open INTEGER NOT NULL DEFAULT 0',
  pass_since: 'ALTER TABLE jobs ADD COLUMN pass_since TEXT',
  pass_snapshot: 'ALTER TABLE jobs ADD COLUMN pass_snapshot TEXT',
  snapshot: 'ALTER TABLE jobs ADD COLUMN snapshot TEXT',
  profile: 'ALTER TABLE jobs ADD COLUMN profile TEXT',
};

export class StateStore {
  private constructor(
    private readonly db: Database.Database,
    /** Absolute path. */
    readonly file: string,
    /** Where a corrupt file found at this path was moved, when it was. */
    readonly movedAside: string | undefined,
  ) {}

  static open(file: string, options: OpenOptions): StateStore {
    const absolute = path.resolve(file);
    if (options.mustExist && !existsSync(absolute)) {
      throw new StateError(`no state file at ${absolute}; pass the --state the job ran with (or set EMBED_STATE)`);
    }
    mkdirSync(path.dirname(absolute), { recursive: true });
    try {
      return new StateStore(openDatabase(absolute), absolute, undefined);
    } catch (cause) {
      if (!isCorruption(cause)) {
        throw new StateError(`state file ${absolute} cannot be opened: ${(cause as Error).message}`, { cause });
      }
      if (options.ifCorrupt === 'refuse') {
        throw new StateError(
          `state file ${absolute} is corrupt (${(cause as Error).message}); run embed on the table once to set it aside and rebuild it, or pass --state NEW_PATH`,
          { cause },
        );
      }
      // The target holds the truth, so a damaged accelerator is set aside (kept for inspection) and rebuilt.
      const aside = `${absolute}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm']) {
        if (existsSync(absolute + suffix)) renameSync(absolute + suffix, aside + suffix);
      }
      try {
        return new StateStore(openDatabase(absolute), absolute, aside);
      } catch (again) {
        throw new StateError(`state file ${absolute} cannot be created: ${(again as Error).message}`, { cause: again });
      }
    }
  }

  /** The job's state, created empty when the file has never seen it. */
  job(identity: JobIdentity): JobState {
    const key = JSON.stringify(identity);
    const find = this.db.prepare('SELECT id FROM jobs WHERE key = ?');
    // Read first: a known job needs no write lock, which a stalled run on the same file might hold.
    let row = find.get(key) as { id: number } | undefined;
    if (!row && identity.tokenizerHash !== undefined) {
      // A job recorded before the tokenizer was part of the identity is this one: it learns its tokenizer
      // (the target's marker refuses a tokenizer other than the one it was embedded with).
      const { tokenizerHash: _, ...older } = identity;
      const olderRow = find.get(JSON.stringify(older)) as { id: number } | undefined;
      if (olderRow) {
        this.db
          .prepare('UPDATE jobs SET key = ?, identity = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM jobs WHERE key = ?)')
          .run(key, key, olderRow.id, key);
        row = find.get(key) as { id: number } | undefined;
      }
    }
    if (!row) {
      this.db.prepare('INSERT INTO jobs (key, identity) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, key);
      row = find.get(key) as { id: number };
    }
    return new JobState(this.db, row.id, identity);
  }

  /** Every job the file knows, for the commands that look one up by table rather than by full identity. */
  jobs(): JobState[] {
    const rows = this.db.prepare('SELECT id, identity FROM jobs ORDER BY id').all() as { id: number; identity: string }[];
    return rows.map((row) => new JobState(this.db, row.id, JSON.parse(row.identity) as JobIdentity));
  }

  /** Keeps the model profile a run of the job used, as JSON, for `embed status` (prompts and sources included). */
  recordProfile(jobId: number, profile: object): void {
    const text = JSON.stringify(profile);
    this.db.prepare('UPDATE jobs SET profile = ? WHERE id = ? AND profile IS NOT ?').run(text, jobId, text);
  }

  /** The profile the job's last run recorded; undefined for jobs last run before profiles were recorded. */
  recordedProfile(jobId: number): unknown {
    const row = this.db.prepare('SELECT profile FROM jobs WHERE id = ?').get(jobId) as { profile: string | null } | undefined;
    return row?.profile == null ? undefined : JSON.parse(row.profile);
  }

  close(): void {
    this.db.close();
  }
}

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // A batch is reported done only after this commit reaches the disk.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Cheap on a file this size, and it turns a torn or overwritten file into one clear case at start-up.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`integrity check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    // Only a new file needs the schema: DDL takes the write lock, which a running job may be holding.
    const tables = db.prepare(
      `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('jobs', 'ranges', 'failures', 'runs', 'locks')`,
    );
    if ((tables.get() as { n: number }).n < 5) db.exec(schema);
    const columns = new Set((db.pragma('table_info(jobs)') as { name: string }[]).map((c) => c.name));
    for (const [column, ddl] of Object.entries(addedColumns)) if (!columns.has(column)) db.exec(ddl);
    const watchColumns = new Set((db.pragma('table_info(watchers)') as { name: string }[]).map((c) => c.name));
    if (watchColumns.size > 0) for (const [column, ddl] of Object.entries(addedWatchColumns)) if (!watchColumns.has(column)) db.exec(ddl);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
}
