/**
 * `embed watch` as a subprocess with --log-format json: its events as they come (one JSON object per
 * stderr line), waits for one, and a stop by signal.
 */
import type { ChildProcess } from 'node:child_process';
import { startCli, type CliResult } from './cli.js';

export interface WatchEvent {
  event: string;
  message: string;
  [field: string]: unknown;
}

export interface Watcher {
  child: ChildProcess;
  events: WatchEvent[];
  /** Resolves with the first event of that name (already seen or to come); rejects if the process ends first. */
  waitFor(event: string, timeoutMs?: number): Promise<WatchEvent>;
  /** Sends the signal and resolves when the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
  done: Promise<CliResult>;
}

export function startWatcher(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Watcher {
  const { child, done } = startCli(['watch', ...args, '--log-format', 'json'], env, cwd);
  const events: WatchEvent[] = [];
  const waiting: { event: string; resolve: (e: WatchEvent) => void }[] = [];
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as WatchEvent;
      events.push(parsed);
      for (const waiter of waiting.filter((w) => w.event === parsed.event)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  });
  return {
    child,
    events,
    done,
    waitFor(event, timeoutMs = 60_000) {
      const seen = events.find((e) => e.event === event);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${event}" event within ${timeoutMs} ms; events: ${JSON.stringify(events)}`)),
          timeoutMs,
        );
        waiting.push({
          event,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
        void done.then((result) => {
          clearTimeout(timer);
          reject(new Error(`watcher ended (code ${result.code}) before a "${event}" event: ${result.stderr}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return done;
    },
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
