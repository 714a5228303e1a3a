/**
 * `embed status` beside a running `embed watch` (both the real CLI): it shows the watcher's backlog
 * while a catch-up drains it, the freshness lag of what it embedded (or, when the server records no commit
 * times, that the lag is unknown and how to turn it on), its metrics port, and nothing of it once the
 * watcher has stopped.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';
import type { WatchReport as WatchStatus } from '../../dist/src/state/watch-record.js';

const rows = 8000;

describe('embed status of a watched table', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-status-watch-', (db) => createTextTable(db.client, 'watched', rows));
  const state = () => path.join(fixture.dir, 'state.sqlite');
  const status = async (...extra: string[]) => {
    const result = await runCli(['status', 'watched', '--database-url', fixture.db.url, '--state', state(), ...extra]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  const watchStatus = async () => (JSON.parse(await status('--json')) as { watch: WatchStatus | null }).watch;

  it("shows the watcher's backlog as it drains, its lag, and nothing once it stops", async () => {
    const watcher = startWatcher([
      'watched',
      '40',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      fixture.db.url,
      '--state',
      state(),
      '--metrics-port',
      '0',
    ]);
    const start = await watcher.waitFor('start');
    // The catch-up of the whole table: the backlog is reported while it drains.
    let seen: WatchStatus | null = null;
    await waitUntil('embed status shows a backlog', async () => {
      seen = await watchStatus();
      return seen !== null && seen.backlog > 0;
    });
    expect(seen!.pid).toBe(watcher.child.pid);
    expect(seen!.backlog).toBeLessThanOrEqual(rows);
    expect(seen!.metricsPort).toBe(start.metricsPort);

    await watcher.waitFor('caught-up', 120_000);
    await fixture.db.client.query(
      `INSERT INTO watched (id, text) SELECT i, 'written while watching ' || i FROM generate_series(${rows + 1}, ${rows + 50}) AS i`,
    );
    await waitUntil('the watcher has embedded the new rows and reported an empty backlog', async () => {
      const target = Number(
        (await fixture.db.client.query<{ n: string }>('SELECT count(*) AS n FROM watched_embeddings WHERE id > $1', [rows])).rows[0]!.n,
      );
      return target === 50 && (await watchStatus())?.backlog === 0;
    });
    const commitTimes = (await fixture.db.client.query<{ on: boolean }>(`SELECT current_setting('track_commit_timestamp') = 'on' AS on`))
      .rows[0]!.on;
    const text = await status();
    const line = text.split('\n').find((l) => l.startsWith('watching    '));
    expect((await watchStatus())!.lagMeasured).toBe(commitTimes);
    if (commitTimes) {
      const lag = (await watchStatus())!;
      expect(lag.lagMax).toBeGreaterThan(0);
      expect(lag.lagP50!).toBeLessThanOrEqual(lag.lagP95!);
      expect(line).toMatch(
        /^watching {4}backlog 0 rows, lag p50 \d+\.\d\ds, p95 \d+\.\d\ds, max \d+\.\d\ds over the last minute \(as of .+ UTC\), metrics on port \d+$/,
      );
    } else {
      // Rows were embedded: the line says the lag is unknown, and why, not that nothing was embedded.
      expect(line).toMatch(
        /^watching {4}backlog 0 rows, lag unknown: track_commit_timestamp is off on the server \(as of .+ UTC\), metrics on port \d+; to measure it, set track_commit_timestamp = on in postgresql.conf and restart the server$/,
      );
    }

    const stopped = await watcher.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(await watchStatus()).toBeNull();
    expect(await status()).not.toContain('watching ');
  });
});
