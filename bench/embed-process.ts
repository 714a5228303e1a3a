/**
 * The real CLI as a subprocess, as the benchmarks run it: `node bin/embed.js ... --json`, its summary
 * parsed from the last line of stdout, and what a measured step cost: wall seconds and the CPU seconds
 * of the PostgreSQL server on this machine (read from /proc: the live server processes plus the children
 * the postmaster has reaped; other sessions on the same server count too, so run on a quiet server).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';

export const embedBin = path.join(packageRoot, 'bin', 'embed.js');

/**
 * Runs `embed ARGS` (with --json among them) in `cwd`; rejects with its last stderr lines when it fails.
 * `bin` runs another build's CLI, for side-by-side comparisons.
 */
export function runEmbed<Report = { rowsEmbedded: number }>(
  args: string[],
  cwd: string = packageRoot,
  bin: string = embedBin,
): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    // 'close', not 'exit': the summary may still be in the pipe when the process has exited.
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`embed ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Report);
    });
  });
}

export interface Measured<T> {
  value: T;
  seconds: number;
  /** null where /proc shows no PostgreSQL server. */
  serverCpuSeconds: number | null;
}

/** Wall seconds and server CPU seconds of one step. */
export async function measure<T>(step: () => Promise<T>): Promise<Measured<T>> {
  const cpuBefore = serverCpuSeconds();
  const started = performance.now();
  const value = await step();
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = serverCpuSeconds();
  return { value, seconds, serverCpuSeconds: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
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
