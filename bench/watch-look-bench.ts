/**
 * What a running watcher costs on one large table (1,000,000 rows by default, embedded on the server,
 * see capture-table.ts): cycles of an edit of `--changes` random rows' texts followed by a quiet spell,
 * with the watcher polling, then with the trigger. For each cycle: seconds from the edit's commit to the
 * last of its vectors, and CPU seconds over the `--window` seconds from the edit, of the watcher's own
 * server sessions (their backends' /proc counts: other sessions on the server are left out) and of
 * the watcher process itself. `--bin` runs another build of the CLI (to compare two versions side by side).
 *
 *   npm run bench:look -- [--rows N] [--changes N] [--cycles N] [--window S] [--modes polling,trigger] [--bin PATH]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureModel } from '../scripts/make-model.js';
import { packageRoot } from '../src/paths.js';
import { fillTarget, loadTable } from './capture-table.js';
import { runEmbed } from './embed-process.js';
import { formatMachineFacts, machineFacts } from './machine-facts.js';
import { fixed, formatTable } from './text-table.js';

const table = 'look_bench';

interface Cycle {
  mode: string;
  lagSeconds: number;
  serverCpuSeconds: number;
  watcherCpuSeconds: number;
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '1000000' },
      changes: { type: 'string', default: '100' },
      cycles: { type: 'string', default: '5' },
      window: { type: 'string', default: '10' },
      modes: { type: 'string', default: 'polling,trigger' },
      bin: { type: 'string', default: path.join(packageRoot, 'bin', 'embed.js') },
      'database-url': { type: 'string' },
      'keep-table': { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const modelDir = await ensureModel('tiny-random');
  const state = path.join(mkdtempSync(path.join(os.tmpdir(), 'look-bench-')), 'state.sqlite');
  const common = ['100', '--workers', '2', '--model', modelDir, '--database-url', databaseUrl, '--state', state];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const cycles: Cycle[] = [];
  try {
    console.log(
      `bench look: ${rows.toLocaleString('en-US')} rows, ${values.changes} rows edited per cycle, ${values.bin}\n${formatMachineFacts(machineFacts())}`,
    );
    const exists = await client.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = $1`, [`${table}_embeddings`]);
    if (!values['keep-table'] || exists.rows[0].n === 0) {
      await loadTable(client, table, rows);
      await runEmbed([table, ...common, '--limit', '1', '--json'], packageRoot, values.bin);
      await fillTarget(client, table);
    }
    // A complete pass recorded in this state file: the watcher starts caught up.
    await runEmbed([table, ...common, '--rebuild-state', '--json'], packageRoot, values.bin);
    for (const mode of values.modes.split(',')) {
      if (mode === 'polling') await client.query(`DROP TRIGGER IF EXISTS embed_watch ON ${table}`);
      const watcher = startWatcher(values.bin, [table, ...common, ...(mode === 'trigger' ? ['--install-trigger'] : [])]);
      await watcher.caughtUp;
      for (let n = 0; n < Number(values.cycles); n++) {
        const cycle = await editCycle(client, watcher.child, Number(values.changes), Number(values.window));
        cycles.push({ mode, ...cycle });
        console.log(
          `  ${mode} cycle ${n + 1}: lag ${fixed(cycle.lagSeconds, 2)} s, server CPU ${fixed(cycle.serverCpuSeconds, 2)} s, watcher CPU ${fixed(cycle.watcherCpuSeconds, 2)} s`,
        );
      }
      watcher.child.kill('SIGTERM');
      await watcher.ended;
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    console.log(
      '\n' +
        formatTable(
          [
            'mode',
            'cycles',
            'lag p50 s',
            'lag max s',
            `server CPU s per ${values.window} s (p50)`,
            `watcher CPU s per ${values.window} s (p50)`,
          ],
          [...new Set(cycles.map((c) => c.mode))].map((mode) => {
            const of = cycles.filter((c) => c.mode === mode);
            return [
              mode,
              String(of.length),
              fixed(median(of.map((c) => c.lagSeconds)), 2),
              fixed(Math.max(...of.map((c) => c.lagSeconds)), 2),
              fixed(median(of.map((c) => c.serverCpuSeconds)), 2),
              fixed(median(of.map((c) => c.watcherCpuSeconds)), 2),
            ];
          }),
        ),
    );
    console.log(`load average after: ${os.loadavg()[0]!.toFixed(2)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function startWatcher(bin: string, args: string[]): { child: ChildProcess; caughtUp: Promise<void>; ended: Promise<void> } {
  const child = spawn(process.execPath, [bin, 'watch', ...args, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const caughtUp = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('"event":"caught-up"')) resolve();
    });
    child.on('close', (code) => reject(new Error(`the watcher ended (${code}) before catching up: ${stderr}`)));
  });
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, caughtUp, ended };
}

/** Edits `changes` random rows, waits for their vectors, and measures CPU over `windowSeconds` from the edit. */
async function editCycle(client: pg.Client, watcher: ChildProcess, changes: number, windowSeconds: number): Promise<Omit<Cycle, 'mode'>> {
  const sessions = `embed ${watcher.pid}`;
  const cpuBefore = await cpu(client, sessions, watcher.pid!);
  const edited = await client.query<{ id: string }>(
    `UPDATE ${table} SET text = text || ' (edited ' || clock_timestamp() || ')' WHERE id IN (SELECT id FROM ${table} ORDER BY random() LIMIT $1) RETURNING id`,
    [changes],
  );
  const started = performance.now();
  const ids = edited.rows.map((r) => r.id);
  for (;;) {
    const left = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} s LEFT JOIN ${table}_embeddings e ON e.id = s.id
        WHERE s.id = ANY($1::bigint[]) AND e.content_hash IS DISTINCT FROM md5(convert_to(s.text, 'UTF8'))`,
      [ids],
    );
    if (left.rows[0]!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const lagSeconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowSeconds * 1000 - (performance.now() - started))));
  const cpuAfter = await cpu(client, sessions, watcher.pid!);
  return { lagSeconds, serverCpuSeconds: cpuAfter.server - cpuBefore.server, watcherCpuSeconds: cpuAfter.watcher - cpuBefore.watcher };
}

/** CPU seconds so far of the watcher's server sessions (by application_name) and of its process. */
async function cpu(client: pg.Client, sessions: string, watcherPid: number): Promise<{ server: number; watcher: number }> {
  const pids = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [sessions]);
  let server = 0;
  for (const { pid } of pids.rows) server += processCpu(pid);
  return { server, watcher: processCpu(watcherPid) };
}

function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

await main(process.argv.slice(2));
