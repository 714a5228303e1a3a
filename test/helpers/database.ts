/**
 * A fresh database per test file: created from the run's server, dropped (with its connections) after;
 * useTestDatabase does both around a describe block, with a temp folder and the CLI pointed at them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { runCli, type CliResult } from './cli.js';

export interface TestDatabase {
  url: string;
  /** A connected client on the test database; closed by drop(). */
  client: pg.Client;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = `embed_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    async drop() {
      await client.end();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A describe block's database and temp folder, and the CLI run against them. */
export interface TestDatabaseFixture {
  /** Created in beforeAll. */
  readonly db: TestDatabase;
  /** A temp folder for state files and scratch, removed after the block. */
  readonly dir: string;
  /** Runs embed with `args`, this database's URL and a state file of its own in dir. */
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

/**
 * For a describe block: its own database (set up by `setUp`) and temp folder, both removed after the
 * block's tests.
 */
export function useTestDatabase(
  folderPrefix: string,
  setUp: (db: TestDatabase) => Promise<void> = async () => undefined,
): TestDatabaseFixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  let database: TestDatabase | undefined;
  let runs = 0;
  beforeAll(async () => {
    database = await createTestDatabase();
    await setUp(database);
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const fixture: TestDatabaseFixture = {
    dir,
    get db() {
      if (!database) throw new Error('the test database is created in beforeAll');
      return database;
    },
    run: (args, env) => runCli([...args, '--database-url', fixture.db.url, '--state', path.join(dir, `${runs++}.sqlite`)], env),
  };
  return fixture;
}
