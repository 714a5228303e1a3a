/**
 * One end-to-end run of the real CLI (`node bin/embed.js ... --json`) as a subprocess, against a fresh
 * target and a fresh state file, with its memory sampled from /proc while it runs. The engine is one
 * process with worker threads, so the process's peak RSS (VmHWM) covers the main thread and every
 * worker; "total" adds any processes it starts (none today, so the two agree).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';
import type { RunReport } from '../src/job/run-summary.js';
import { loadAverage } from './machine-facts.js';

export interface EngineRunOptions {
  table: string;
  batchSize: number;
  workers: number;
  model: string;
  dtype: string;
  databaseUrl: string;
  /** Side table the run writes; the caller drops it before each run. */
  target: string;
  limit?: number;
  maxBatchTokens?: number;
  sortWindow?: number;
  /** More flags, after the others (e.g. `--chunk 256:32`). */
  extraArgs?: string[];
}

export interface EngineRun {
  report: RunReport;
  /** From spawning the process to its exit: start-up, model loading and shutdown included. */
  wallSeconds: number;
  /** VmHWM of the engine process, MiB; null where /proc is not available. */
  peakRssMb: number | null;
  /** Highest sum of VmRSS over the engine process and its descendants seen while sampling, MiB. */
  totalPeakRssMb: number | null;
  /** VmRSS of the engine process once a second, MiB: flat, or growing with the rows done? */
  rssTimelineMb: number[];
  /** CPU seconds of the engine process per wall second: below the core count, someone else had the rest. */
  coresUsed: number | null;
  /** 1-minute load average when the run ended. */
  loadAverage: number;
}

const bin = path.join(packageRoot, 'bin', 'embed.js');
const sampleEveryMs = 50;
/** USER_HZ: 100 on every Linux build that matters here. */
const clockTicksPerSecond = 100;

export async function runEngine(options: EngineRunOptions): Promise<EngineRun> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'embed-bench-state-'));
  const args = [
    bin,
    options.table,
    String(options.batchSize),
    '--workers',
    String(options.workers),
    '--model',
    options.model,
    '--dtype',
    options.dtype,
    '--database-url',
    options.databaseUrl,
    '--target',
    options.target,
    '--state',
    path.join(stateDir, 'state.sqlite'),
    '--json',
    ...(options.limit === undefined ? [] : ['--limit', String(options.limit)]),
    ...(options.maxBatchTokens === undefined ? [] : ['--max-batch-tokens', String(options.maxBatchTokens)]),
    ...(options.sortWindow === undefined ? [] : ['--sort-window', String(options.sortWindow)]),
    ...(options.extraArgs ?? []),
  ];
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const memory = { peak: null as number | null, total: null as number | null, cpuTicks: null as number | null };
  const timeline: number[] = [];
  let samples = 0;
  const sample = () => {
    if (child.pid === undefined) return;
    const own = procStatus(child.pid);
    if (own === null) return;
    memory.peak = Math.max(memory.peak ?? 0, own.hwmKb);
    const tree = descendants(child.pid).map(procStatus);
    const total = own.rssKb + tree.reduce((sum, status) => sum + (status?.rssKb ?? 0), 0);
    memory.total = Math.max(memory.total ?? 0, total, own.hwmKb);
    memory.cpuTicks = cpuTicks(child.pid) ?? memory.cpuTicks;
    if (samples++ % (1000 / sampleEveryMs) === 0) timeline.push(mb(own.rssKb)!);
  };
  const sampler = setInterval(sample, sampleEveryMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      // 'close', not 'exit': the summary may still be in the pipe when the process has exited.
      child.on('close', (exitCode) => resolve(exitCode));
    });
    const wallSeconds = (performance.now() - startedAt) / 1000;
    if (code !== 0) {
      throw new Error(`embed exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ') || '(no message)'}`);
    }
    const lastLine = stdout.trim().split('\n').pop() ?? '';
    let report: RunReport;
    try {
      report = JSON.parse(lastLine) as RunReport;
    } catch {
      throw new Error(`embed printed no JSON summary: ${lastLine.slice(0, 200)}`);
    }
    return {
      report,
      wallSeconds,
      peakRssMb: mb(memory.peak),
      totalPeakRssMb: mb(memory.total),
      rssTimelineMb: timeline,
      coresUsed: memory.cpuTicks === null ? null : memory.cpuTicks / clockTicksPerSecond / wallSeconds,
      loadAverage: loadAverage(),
    };
  } finally {
    clearInterval(sampler);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function mb(kb: number | null): number | null {
  return kb === null ? null : Math.round((kb / 1024) * 10) / 10;
}

/** utime + stime of a process, all its threads, in clock ticks. */
function cpuTicks(pid: number): number | null {
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function procStatus(pid: number): { hwmKb: number; rssKb: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { hwmKb: field('VmHWM'), rssKb: field('VmRSS') };
}

/** Child processes of every thread of `pid`, recursively (Linux lists children per thread). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number)) found.push(child, ...descendants(child));
  }
  return found;
}
