/**
 * The watch bench's processes: its tables, `embed watch` started and followed until it has caught up, and
 * the plain pass's rate the drains are compared with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';
import { fixed } from './text-table.js';
import { query } from './watch-database.js';

export interface WatchSetup {
  databaseUrl: string;
  model: string;
  dtype: string;
  texts: string[];
  stateDir: string;
}

export async function createTable(options: WatchSetup, table: string, rows: number): Promise<void> {
  await query(options.databaseUrl, `DROP TABLE IF EXISTS ${table} CASCADE`);
  await query(options.databaseUrl, `CREATE TABLE ${table} (id bigserial PRIMARY KEY, text text, burst boolean NOT NULL DEFAULT false)`);
  const texts = Array.from({ length: rows }, (_, i) => options.texts[(options.texts.length - 1 - i) % options.texts.length]!);
  await query(options.databaseUrl, `INSERT INTO ${table} (text) SELECT unnest($1::text[])`, [texts]);
  await query(options.databaseUrl, `ANALYZE ${table}`);
}

function cli(options: WatchSetup, args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    [
      path.join(packageRoot, 'bin', 'embed.js'),
      ...args,
      '--model',
      options.model,
      '--dtype',
      options.dtype,
      '--database-url',
      options.databaseUrl,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * A plain pass's rate on this machine, measured as a burst's drain is: a watcher catches up on `rows` (the
 * pass a plain run makes, the model already loaded), from the start of that pass to its last vector's commit.
 */
export async function plainRate(options: WatchSetup, rows: number): Promise<number> {
  await createTable(options, 'watch_plain', rows);
  const { watcher, exited, passStartedAt } = await watchUntilCaughtUp(options, 'watch_plain', 'plain', []);
  watcher.kill('SIGTERM');
  await exited;
  const [row] = await query<{ rows: string; first: number; last: number; first_rows: string; offset: number }>(
    options.databaseUrl,
    `WITH commits AS (SELECT pg_xact_commit_timestamp(xmin) AS t FROM watch_plain_embeddings)
     SELECT count(*) AS rows, extract(epoch FROM min(t))::float8 AS first, extract(epoch FROM max(t))::float8 AS last,
            count(*) FILTER (WHERE t = (SELECT min(t) FROM commits)) AS first_rows,
            extract(epoch FROM clock_timestamp())::float8 - $1::float8 AS offset
       FROM commits`,
    [Date.now() / 1000],
  );
  // The pass's start is this machine's clock, commit times the server's: `offset` brings them together.
  const rate = Number(row!.rows) / (row!.last - (passStartedAt + row!.offset));
  // The older measure, for comparison: it leaves out the time to the first commit but not the other
  // workers' tasks computed in it, so it reads high.
  const firstToLast = (Number(row!.rows) - Number(row!.first_rows)) / (row!.last - row!.first);
  console.log(
    `plain pass: ${fixed(rate)} rows/s (${rows} rows, model loaded, from the pass's start to its last commit; ${fixed(firstToLast)} from its first commit to its last)`,
  );
  return rate;
}

/**
 * Starts `embed watch` on `table` and resolves once it has caught up, with when its first pass started
 * (its start event: the model is loaded and the job open).
 */
export async function watchUntilCaughtUp(
  options: WatchSetup,
  table: string,
  stateName: string,
  more: string[],
): Promise<{ watcher: ChildProcess; exited: Promise<number | null>; passStartedAt: number }> {
  const watcher = cli(options, [
    'watch',
    table,
    '100',
    '--state',
    path.join(options.stateDir, `${stateName}.sqlite`),
    '--log-format',
    'json',
    ...more,
  ]);
  const exited = new Promise<number | null>((resolve) => watcher.on('close', resolve));
  let stderr = '';
  let passStartedAt = Number.NaN;
  await new Promise<void>((resolve, reject) => {
    watcher.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const start = /\{"time":"([^"]+)","level":"info","event":"start"/.exec(stderr);
      if (start) passStartedAt = Date.parse(start[1]!) / 1000;
      if (stderr.includes('"event":"caught-up"')) resolve();
    });
    void exited.then((code) => reject(new Error(`the watcher ended (exit ${code}) before catching up: ${stderr}`)));
  });
  return { watcher, exited, passStartedAt };
}
