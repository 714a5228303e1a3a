/**
 * A pass as a whole, from the queue: ranges done, running, waiting and failed (pg-boss's job table and
 * its archive), rows per second of each host, the rows that failed on any host, and an ETA from the
 * speed of the hosts heard from lately.
 */
import type pg from 'pg';
import { queueSchema } from './queue-schema.js';

export interface HostProgress {
  host: string;
  rows: number;
  ranges: number;
  rowsPerSecond: number;
  /** Seconds since its last heartbeat or completed range. */
  silentSeconds: number;
}

export interface PassStatus {
  pass: number;
  ranges: { total: number; done: number; running: number; waiting: number; failed: number };
  rows: { total: number; done: number };
  failedRows: number;
  hosts: HostProgress[];
  /** Null while no host that is still heard from has measured a speed. */
  etaSeconds: number | null;
}

/** A host silent for longer than this no longer counts towards the ETA. */
const heardFromSeconds = 60;

export async function passStatus(client: pg.ClientBase | pg.Pool, queue: string, pass: number): Promise<PassStatus> {
  const states = await client.query<{ state: string; ranges: string; rows: string }>(
    `SELECT state::text AS state, count(*) AS ranges, coalesce(sum((data->>'rows')::bigint), 0) AS rows FROM (
       SELECT state, data FROM ${queueSchema}.job WHERE name = $1 AND (data->>'pass')::int = $2
       UNION ALL
       SELECT state, data FROM ${queueSchema}.archive WHERE name = $1 AND (data->>'pass')::int = $2
     ) ranges GROUP BY state`,
    [queue, pass],
  );
  const count = (...names: string[]) => {
    const picked = states.rows.filter((r) => names.includes(r.state));
    return { ranges: picked.reduce((n, r) => n + Number(r.ranges), 0), rows: picked.reduce((n, r) => n + Number(r.rows), 0) };
  };
  const done = count('completed');
  const running = count('active');
  const waiting = count('created', 'retry');
  const failed = count('failed', 'cancelled');
  const hosts = await client.query<{ host: string; rows: string; ranges: number; seconds: number; silent: number }>(
    `SELECT host, rows, ranges, extract(epoch FROM seen_at - started_at)::float8 AS seconds,
            extract(epoch FROM now() - seen_at)::float8 AS silent
       FROM ${queueSchema}.embed_hosts WHERE queue = $1 AND pass = $2 ORDER BY started_at, host`,
    [queue, pass],
  );
  const failedRows = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${queueSchema}.embed_failed_rows WHERE queue = $1`, [queue]);
  const progress = hosts.rows.map((h) => ({
    host: h.host,
    rows: Number(h.rows),
    ranges: h.ranges,
    rowsPerSecond: h.seconds > 0 ? Number(h.rows) / h.seconds : 0,
    silentSeconds: h.silent,
  }));
  const rate = progress.filter((h) => h.silentSeconds < heardFromSeconds).reduce((sum, h) => sum + h.rowsPerSecond, 0);
  const left = running.rows + waiting.rows;
  return {
    pass,
    ranges: {
      total: done.ranges + running.ranges + waiting.ranges + failed.ranges,
      done: done.ranges,
      running: running.ranges,
      waiting: waiting.ranges,
      failed: failed.ranges,
    },
    rows: { total: done.rows + running.rows + waiting.rows + failed.rows, done: done.rows },
    failedRows: Number(failedRows.rows[0]!.n),
    hosts: progress,
    etaSeconds: left === 0 ? 0 : rate > 0 ? left / rate : null,
  };
}
