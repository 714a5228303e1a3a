/** What a job's state file claims against what its target holds, for the resume tests. */
import type pg from 'pg';
import { runCli, type CliResult } from './cli.js';
import { textFor } from './fixtures.js';

export interface RecordedProgress {
  watermark: string | null;
  ranges: { after: string | null; last: string }[];
  rowsDone: number;
}

/** `embed status --json`, or undefined when there is no state file or no job in it yet. */
export async function recordedProgress(table: string, databaseUrl: string, state: string): Promise<RecordedProgress | undefined> {
  const result = await runCli(['status', table, '--database-url', databaseUrl, '--state', state, '--json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as RecordedProgress) : undefined;
}

/** Rows of a bigint-keyed target the state file does not count as done: what a resume would redo. */
export async function committedNotRecorded(client: pg.ClientBase, target: string, progress: RecordedProgress | undefined): Promise<number> {
  if ((await client.query(`SELECT 1 WHERE to_regclass($1) IS NOT NULL`, [target])).rowCount === 0) return 0;
  const result = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${target} t
      WHERE NOT (t.id <= coalesce($1::bigint, 0))
        AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS r(after bigint, last bigint)
                         WHERE t.id > coalesce(r.after, 0) AND t.id <= r.last)`,
    [progress?.watermark ?? null, JSON.stringify(progress?.ranges ?? [])],
  );
  return Number(result.rows[0]!.n);
}

/** Rows of createTextTable(…, rows) that have text to embed. */
export function embeddableRows(rows: number): number {
  return Array.from({ length: rows }, (_, i) => textFor(i + 1)).filter((t) => t !== null && t.trim() !== '').length;
}

export async function countRows(client: pg.ClientBase, table: string): Promise<number> {
  if ((await client.query(`SELECT 1 WHERE to_regclass($1) IS NOT NULL`, [table])).rowCount === 0) return 0;
  return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds; fails with the CLI's output if it exits first. */
export async function whileRunning(run: { done: Promise<CliResult> }, condition: () => Promise<boolean>, everyMs = 5): Promise<void> {
  let exited: CliResult | undefined;
  void run.done.then((result) => (exited = result));
  while (!(await condition())) {
    if (exited !== undefined) throw new Error(`the run ended first (exit ${exited.code}): ${exited.stderr}`);
    await sleep(everyMs);
  }
}
