/**
 * What a running watcher last said about its job (backlog, recent freshness lag, metrics port), so that
 * `embed status` in another process can show it. Written at most every few seconds; removed when the
 * watcher stops, and ignored once its process is gone.
 */
import type Database from 'better-sqlite3';

export interface WatchReport {
  pid: number;
  backlog: number;
  /** Freshness lag over the last minute, seconds; null when nothing was measured. */
  lagP50: number | null;
  lagP95: number | null;
  lagMax: number | null;
  /**
   * Whether the watcher measures the lag (the server records commit times: track_commit_timestamp);
   * null in a record of a version that did not say.
   */
  lagMeasured: boolean | null;
  metricsPort: number | null;
}

export interface WatchRecord extends WatchReport {
  updatedAt: string;
}

export const watchSchema = `
CREATE TABLE IF NOT EXISTS watchers (
  job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  backlog INTEGER NOT NULL,
  lag_p50 REAL,
  lag_p95 REAL,
  lag_max REAL,
  metrics_port INTEGER,
  commit_times INTEGER,
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
`;

/** Columns added to the watchers table after it first shipped, added in place to older files. */
export const addedWatchColumns: Record<string, string> = {
  commit_times: 'ALTER TABLE watchers ADD COLUMN commit_times INTEGER',
};

export class WatchRecords {
  private lastWrite = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly jobId: number,
  ) {}

  /** Saves the report, unless one was saved less than `everyMs` ago. */
  record(report: WatchReport, everyMs = 2000): void {
    if (performance.now() - this.lastWrite < everyMs) return;
    this.lastWrite = performance.now();
    this.db
      .prepare(
        `INSERT INTO watchers (job_id, pid, backlog, lag_p50, lag_p95, lag_max, commit_times, metrics_port) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (job_id) DO UPDATE SET pid = excluded.pid, backlog = excluded.backlog, lag_p50 = excluded.lag_p50,
           lag_p95 = excluded.lag_p95, lag_max = excluded.lag_max, commit_times = excluded.commit_times,
           metrics_port = excluded.metrics_port, updated_at = datetime('now')`,
      )
      .run(
        this.jobId,
        report.pid,
        report.backlog,
        report.lagP50,
        report.lagP95,
        report.lagMax,
        measured(report.lagMeasured),
        report.metricsPort,
      );
  }

  clear(): void {
    this.db.prepare('DELETE FROM watchers WHERE job_id = ? AND pid = ?').run(this.jobId, process.pid);
  }

  last(): WatchRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT pid, backlog, lag_p50 AS lagP50, lag_p95 AS lagP95, lag_max AS lagMax, commit_times AS lagMeasured,
                metrics_port AS metricsPort, updated_at AS updatedAt
           FROM watchers WHERE job_id = ?`,
      )
      .get(this.jobId) as (Omit<WatchRecord, 'lagMeasured'> & { lagMeasured: number | null }) | undefined;
    return row && { ...row, lagMeasured: row.lagMeasured === null ? null : row.lagMeasured === 1 };
  }
}

function measured(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}
