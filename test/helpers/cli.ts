/** Runs the real CLI (bin/embed.js) as a subprocess and collects what it printed. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'bin', 'embed.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = repoRoot): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}

/** Runs one of the repo's compiled scripts (a bench harness: `dist/bench/bench.js`) as npm would. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startNode(path.join(repoRoot, script), args, env, repoRoot).done;
}

/** Starts the CLI and hands back the process, for tests that signal it while it runs. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = repoRoot,
  /** A command that runs the CLI for us, e.g. `ip netns exec NAME`: it must exec, so that the pid is the CLI's. */
  via: readonly string[] = [],
): { child: ChildProcess; done: Promise<CliResult> } {
  return startNode(bin, args, env, cwd, via);
}

function startNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  via: readonly string[] = [],
): { child: ChildProcess; done: Promise<CliResult> } {
  const [command, ...prefix] = [...via, process.execPath];
  const child = spawn(command!, [...prefix, script, ...args], {
    cwd,
    env: { ...withoutDatabaseVariables(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Tests pass their own database explicitly; the developer's environment must not leak into them. */
function withoutDatabaseVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of Object.keys(copy)) if (key.startsWith('PG') || key === 'DATABASE_URL' || key.startsWith('EMBED_')) delete copy[key];
  return copy;
}

/**
 * The environment of a command given no database: only who connects (PGUSER, PGPASSWORD), as psql
 * takes them, so that it reads the database recorded for the job.
 */
export function credentialsOnly(databaseUrl: string): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  return { PGUSER: decodeURIComponent(url.username), ...(url.password && { PGPASSWORD: decodeURIComponent(url.password) }) };
}

/** host:port/database of a URL, as the commands print it (never credentials). */
export function serverOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}
