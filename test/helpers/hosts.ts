/**
 * Hosts of a distributed job, as separate CLI processes: each with its own working folder and state
 * file, sharing only the database. And what the queue schema says about the job.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { runCli, startCli, type CliResult } from './cli.js';
import type { ChildProcess } from 'node:child_process';

export interface Host {
  name: string;
  dir: string;
  child: ChildProcess;
  done: Promise<CliResult>;
}

export function startHost(root: string, name: string, args: string[], options: { namespace?: string; env?: NodeJS.ProcessEnv } = {}): Host {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const via = options.namespace === undefined ? [] : ['ip', 'netns', 'exec', options.namespace];
  const { child, done } = startCli([...args, '--state', path.join(dir, 'state.sqlite')], options.env, dir, via);
  return { name, dir, child, done };
}

/** The JSON summary a host printed, with its share of the pass. */
export function hostSummary(result: CliResult): { rowsEmbedded: number; distributed: { pass: number; ranges: number; host: string } } {
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

export interface QueueFacts {
  passes: { pass: number; ranges: number; rows: number; after_id: string | null; last_id: string | null }[];
  /** Range jobs by state. */
  states: Record<string, number>;
  jobs: number;
  /** Ranges fetched more than once (their host died, lost its link, or stopped). */
  retried: number;
}

/** What the queue holds for the job writing `target` (the queue is found through embed's job record). */
export async function queueFacts(client: pg.ClientBase, target: string): Promise<QueueFacts> {
  if (!(await hasQueueSchema(client))) return { passes: [], states: {}, jobs: 0, retried: 0 };
  const job = await client.query<{ queue: string }>(`SELECT queue FROM embed_queue.embed_jobs WHERE target = $1`, [target]);
  const queue = job.rows[0]?.queue;
  if (!queue) return { passes: [], states: {}, jobs: 0, retried: 0 };
  const passes = await client.query(
    `SELECT pass, ranges, rows::int AS rows, after_id, last_id FROM embed_queue.embed_passes WHERE queue = $1 ORDER BY pass`,
    [queue],
  );
  const states = await client.query<{ state: string; n: number }>(
    `SELECT state::text AS state, count(*)::int AS n FROM embed_queue.job WHERE name = $1 GROUP BY 1`,
    [queue],
  );
  const retried = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM embed_queue.job WHERE name = $1 AND retry_count > 0`, [
    queue,
  ]);
  return {
    passes: passes.rows,
    states: Object.fromEntries(states.rows.map((r) => [r.state, r.n])),
    jobs: states.rows.reduce((n, r) => n + r.n, 0),
    retried: retried.rows[0]!.n,
  };
}

/** Rows each host embedded, from its records in the queue schema. */
export async function hostRows(client: pg.ClientBase, target: string): Promise<{ host: string; rows: number; ranges: number }[]> {
  if (!(await hasQueueSchema(client))) return [];
  const result = await client.query<{ host: string; rows: number; ranges: number }>(
    `SELECT h.host, h.rows::int AS rows, h.ranges FROM embed_queue.embed_hosts h JOIN embed_queue.embed_jobs j USING (queue)
      WHERE j.target = $1 ORDER BY h.started_at`,
    [target],
  );
  return result.rows;
}

/** The first host creates the schema: until then there is nothing to read. */
async function hasQueueSchema(client: pg.ClientBase): Promise<boolean> {
  const result = await client.query<{ found: boolean }>(`SELECT to_regclass('embed_queue.embed_hosts') IS NOT NULL AS found`);
  return result.rows[0]!.found;
}

/** A single-host run of one row creates and claims `target`, so that a test can put a trigger on it before the hosts start. */
export async function createTargetOnOneHost(options: {
  databaseUrl: string;
  modelDir: string;
  target: string;
  stateFile: string;
}): Promise<void> {
  const created = await runCli([
    'sentences',
    '100',
    '--workers',
    '1',
    '--model',
    options.modelDir,
    '--database-url',
    options.databaseUrl,
    '--target',
    options.target,
    '--limit',
    '1',
    '--state',
    options.stateFile,
    '--quiet',
  ]);
  expect(created.code, created.stderr).toBe(0);
}

/**
 * Holds every write to `table` (a SHARE lock in an open transaction) until released. A host whose
 * writes wait keeps its tasks in flight and the range it read next undispatched: it is mid-range,
 * whatever the timing.
 */
export async function holdWrites(databaseUrl: string, table: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'test holding writes' });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN SHARE MODE`);
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Waits until a host's write waits for a lock, then a second more for its loop to read ahead to its limit. */
export async function untilWritesWait(client: pg.ClientBase, host: Host): Promise<void> {
  for (;;) {
    const waiting = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [`embed ${host.child.pid}`],
    );
    if (waiting.rows[0]!.n > 0) break;
    if (host.child.exitCode !== null || host.child.signalCode !== null)
      throw new Error(`host ${host.name} ended before any of its writes waited`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

/** Waits until a host has stopped itself (EMBED_TEST_STOP_AT): its process state in /proc is T. */
export async function untilStopped(host: Host): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${host.child.pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    if (host.child.exitCode !== null || host.child.signalCode !== null) throw new Error(`host ${host.name} ended before it stopped itself`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
