/**
 * A watcher outlives its database restarting, on a PostgreSQL server of this file's own (the shared one
 * cannot be restarted; this one records commit times, so the freshness lag is measured): it reports the
 * loss and the return, catches up on what was written while it waited, and its lag histogram counts
 * every row written while it watched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rowsOutOfStep } from '../helpers/target-check.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';

describe('embed watch across a database restart', () => {
  const modelDir = inject('tinyModelDir');
  let server: ThrowawayServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'embed-watch-restart-'));
    server = await startThrowawayServer('Watch-Restart-5b2', { postgresFlags: ['-c', 'track_commit_timestamp=on'] });
  });
  afterAll(async () => {
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one statement on a connection of its own, or says false while the server is away. */
  const tryQuery = async <R extends pg.QueryResultRow>(sql: string): Promise<R[] | false> => {
    const client = new pg.Client({ connectionString: server.url() });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.query<R>(sql)).rows;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const query = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> => {
    const rows = await tryQuery<R>(sql);
    if (rows === false) throw new Error(`the test server did not answer: ${sql}`);
    return rows;
  };
  const inStep = () =>
    waitUntil('the target is true to the table', async () => {
      const client = new pg.Client({ connectionString: server.url() });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await rowsOutOfStep(client, 'notes')) === 0;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    });

  it('waits for the server, reconnects, catches up on what was written meanwhile, and measures every row it embedded', async () => {
    await query(`CREATE TABLE notes (id bigserial PRIMARY KEY, text text)`);
    const watcher = startWatcher([
      'notes',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      server.url(),
      '--state',
      path.join(dir, 'state.sqlite'),
      '--metrics-port',
      '0',
    ]);
    const start = await watcher.waitFor('start');
    await watcher.waitFor('caught-up');
    expect(watcher.events.map((e) => e.event)).not.toContain('note');

    await query(`INSERT INTO notes (text) SELECT 'before the restart ' || i FROM generate_series(1, 100) AS i`);
    await inStep();

    await server.stop();
    await watcher.waitFor('database-lost');
    await server.start();
    await waitUntil('the server answers again', async () => (await tryQuery('SELECT 1')) !== false);
    await query(`INSERT INTO notes (text) SELECT 'after the restart ' || i FROM generate_series(1, 100) AS i`);
    await watcher.waitFor('reconnected');
    await inStep();
    expect((await query<{ n: string }>(`SELECT count(*) AS n FROM notes_embeddings`))[0]!.n).toBe('200');

    const families = parsePrometheusTextFormat(await (await fetch(`http://127.0.0.1:${start.metricsPort as number}/metrics`)).text());
    const family = (name: string) => families.find((f) => f.name === name)!;
    expect(Number(family('embed_rows_embedded_total').metrics[0]!.value)).toBe(200);
    expect(Number(family('embed_database_up').metrics[0]!.value)).toBe(1);
    // Every row written while watching has its lag observed (the +Inf bucket counts them all).
    expect(Number(family('embed_freshness_lag_seconds').metrics[0]!.buckets!['+Inf'])).toBe(200);

    const result = await watcher.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(0);
  });
});
