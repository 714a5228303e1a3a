/**
 * A large table for the benches of finding work (change-capture-bench.ts, watch-look-bench.ts): loaded
 * and embedded on the server (the cost of finding work does not depend on the model), the CLI (or a bench
 * host) run as a subprocess for its JSON report, and the CPU the PostgreSQL server spent, read from /proc.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { packageRoot } from '../src/paths.js';

export async function loadTable(client: pg.Client, table: string, rows: number): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}_embeddings, ${table}`);
  await client.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, text text NOT NULL, tag int NOT NULL DEFAULT 0)`);
  await client.query(`INSERT INTO ${table} (text) SELECT 'sentence ' || i || ' about ' || md5(i::text) FROM generate_series(1, $1::int) AS i`, [rows]);
  await client.query(`VACUUM ANALYZE ${table}`);
}

export async function fillTarget(client: pg.Client, table: string): Promise<void> {
  const target = `${table}_embeddings`;
  await client.query(
    `INSERT INTO ${target} (id, embedding, model, content_hash)
     SELECT s.id, one.embedding, one.model, md5(convert_to(s.text, 'UTF8')) FROM ${table} s, (SELECT embedding, model FROM ${target} LIMIT 1) one
     ON CONFLICT (id) DO NOTHING`,
  );
  await client.query(`VACUUM ANALYZE ${target}`);
}

export function embed(args: string[], bin = path.join(packageRoot, 'bin', 'embed.js')): Promise<{ rowsEmbedded: number }> {
  return runJson([bin, ...args]);
}

/** Runs node with `args` and reads the JSON object on the last line of its output; a non-zero exit rejects with its stderr. */
export function runJson<T = { rowsEmbedded: number }>(args: string[], cwd?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    });
  });
}

/** CPU seconds of every process named postgres, plus the reaped children its postmaster accounts for. */
export function serverCpuSeconds(): number | null {
  const tick = 100;
  let total = 0;
  let found = false;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (name !== 'postgres' && name !== 'postmaster') continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat: 11-14 after the name.
    total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / tick;
    found = true;
  }
  return found ? total : null;
}

