/**
 * A pass as a whole, from the queue: ranges done, running, waiting and failed (pg-boss's job table and
 * its archive), rows per second of each host, the rows that failed on any host, and an ETA from the
 * speed of the hosts heard from lately.
 */
import type pg from 'pg';
import { countWaiting, type WaitingRows } from '../change-capture/waiting-rows.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { SourceTable } from '../source/source-table.js';
import type { TargetInfo } from '../target/target-table.js';
import type { JobIdentity } from '../state/job-state.js';
import { jobText } from '../state/job-text.js';
import { latestPass } from './distributed-job.js';
import { queueSchema } from './queue-schema.js';
import {
  failedRowCountSql,
  jobLatestPassSql,
  passHostsSql,
  passPlanSql,
  passRangesSql,
  queueTableExistsSql,
  rowsAboveSql,
  rowsDoneSql,
} from './queue-sql.js';

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
  const ranges = passRangesSql(queueSchema, queue, pass);
  const states = await client.query<{ state: string; ranges: string; rows: string }>(ranges.text, ranges.values);
  const count = (...names: string[]) => {
    const picked = states.rows.filter((r) => names.includes(r.state));
    return { ranges: picked.reduce((n, r) => n + Number(r.ranges), 0), rows: picked.reduce((n, r) => n + Number(r.rows), 0) };
  };
  // Done is what the plan holds minus what is not done: completed ranges may have been archived and
  // deleted by pg-boss long since, the others never are while they wait or run.
  const planSql = passPlanSql(queueSchema, queue, pass);
  const planned = await client.query<{ ranges: number; rows: string }>(planSql.text, planSql.values);
  const running = count('active');
  const waiting = count('created', 'retry');
  const failed = count('failed', 'cancelled');
  const plan = { ranges: planned.rows[0]?.ranges ?? 0, rows: Number(planned.rows[0]?.rows ?? 0) };
  const done = {
    ranges: plan.ranges - running.ranges - waiting.ranges - failed.ranges,
    rows: plan.rows - running.rows - waiting.rows - failed.rows,
  };
  const passHosts = passHostsSql(queueSchema, queue, pass);
  const hosts = await client.query<{ host: string; rows: string; ranges: number; seconds: number; silent: number }>(
    passHosts.text,
    passHosts.values,
  );
  const failedCount = failedRowCountSql(queueSchema, queue);
  const failedRows = await client.query<{ n: string }>(failedCount.text, failedCount.values);
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
      total: plan.ranges,
      done: done.ranges,
      running: running.ranges,
      waiting: waiting.ranges,
      failed: failed.ranges,
    },
    rows: { total: plan.rows, done: done.rows },
    failedRows: Number(failedRows.rows[0]!.n),
    hosts: progress,
    etaSeconds: left === 0 ? 0 : rate > 0 ? left / rate : null,
  };
}

export interface JobQueueStatus {
  queue: string;
  /** The latest pass; earlier ones are finished. */
  pass: PassStatus;
  /** Rows of every pass in ranges done (read and committed), blank ones included. */
  rowsDone: number;
}

/** The queue's view of a job, when the job has run with --distributed; undefined otherwise. */
export async function jobQueueStatus(
  client: pg.ClientBase,
  job: Pick<JobIdentity, 'source' | 'idColumn' | 'textColumn' | 'text' | 'target'>,
): Promise<JobQueueStatus | undefined> {
  const passesTable = queueTableExistsSql(`${queueSchema}.embed_passes`);
  const exists = await client.query<{ found: boolean }>(passesTable.text, passesTable.values);
  if (!exists.rows[0]!.found) return undefined;
  const latest = jobLatestPassSql(queueSchema, job.source, job.idColumn, jobText(job), job.target);
  const found = await client.query<{ queue: string; pass: number }>(latest.text, latest.values);
  const row = found.rows[0];
  if (!row) return undefined;
  const done = rowsDoneSql(queueSchema, row.queue);
  const unfinished = await client.query<{ rows: string }>(done.text, done.values);
  return { queue: row.queue, pass: await passStatus(client, row.queue, row.pass), rowsDone: Number(unfinished.rows[0]!.rows) };
}

/** The lines `embed status` prints for a distributed job. */
export function formatQueueStatus(status: JobQueueStatus, formatDuration: (seconds: number) => string): string[] {
  const n = (value: number) => value.toLocaleString('en-US');
  const { pass } = status;
  const r = pass.ranges;
  const lines = [
    `queue       ${status.queue} in schema ${queueSchema} (distributed)`,
    `pass ${String(pass.pass).padEnd(6)} ${n(pass.rows.done)} of ${n(pass.rows.total)} rows; ranges ${n(r.done)} done, ${n(r.running)} running, ${n(r.waiting)} waiting, ${n(r.failed)} failed`,
  ];
  for (const host of pass.hosts) {
    const silent = host.silentSeconds < 1 ? 'now' : `${formatDuration(host.silentSeconds)} ago`;
    lines.push(
      `  host      ${host.host}: ${n(host.rows)} rows in ${n(host.ranges)} ranges, ${host.rowsPerSecond.toFixed(1)} rows/s, last heard ${silent}`,
    );
  }
  lines.push(`failed rows ${n(pass.failedRows)} on the job's hosts${pass.failedRows > 0 ? ' (embed failures lists them)' : ''}`);
  return lines;
}

/**
 * The rows waiting across hosts, as `embed status` counts them for a plain job: the rows of the latest
 * pass's ranges not done yet, the ids above its end (the next pass plans them), and, once it is
 * finished, the rows below its end written since it started that the target needs (late commits and
 * edited texts, from the change capture's own conditions). While a pass runs, changes below its end wait
 * for the next pass and are not counted yet.
 */
export async function waitingAcrossHosts(
  client: pg.ClientBase,
  source: SourceTable,
  target: TargetInfo,
  status: JobQueueStatus,
): Promise<WaitingRows> {
  const latest = await latestPass(client, status.queue);
  const inPass = status.pass.rows.total - status.pass.rows.done;
  if (!latest || latest.lastId === null) return { new: inPass, late: 0, changed: 0 };
  const id = `src.${quoteIdentifier(source.idColumn)}`;
  const aboveLast = rowsAboveSql(source.sql, id, source.idType, latest.lastId);
  const above = await client.query<{ n: string }>(aboveLast.text, aboveLast.values);
  const waiting = { new: inPass + Number(above.rows[0]!.n), late: 0, changed: 0 };
  if (inPass > 0 || latest.snapshot === undefined) return waiting;
  const below = await countWaiting(client, source, target, latest.snapshot, {
    where: `${id} <= $1::${source.idType}`,
    params: [latest.lastId],
  });
  return { new: waiting.new + below.new, late: below.late, changed: below.changed };
}
