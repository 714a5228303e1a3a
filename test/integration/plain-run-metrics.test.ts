/**
 * `--metrics-port` on a plain run (the real CLI, real workers): while it runs, /metrics parses as
 * Prometheus text and shows workers computing; with `--metrics-linger` the server outlives the run until
 * one scrape has read the final values, whose counters equal the rows in the target and whose workers
 * busy is back to zero; then the process exits.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { family, scrape, value } from '../helpers/prometheus.js';

const rows = 6000;

describe('--metrics-port on a plain run', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-plain-metrics-', (db) => createTextTable(db.client, 'served', rows));

  it('serves the run as it goes, then its final counts to one last scrape', async () => {
    const { child, done } = startCli([
      'served',
      '40',
      '--model',
      modelDir,
      '--workers',
      '2',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'state.sqlite'),
      '--json',
      '--log-format',
      'json',
      '--metrics-port',
      '0',
      '--metrics-linger',
      // Longer than the test's own timeout: the process ends only because it was scraped.
      '3600',
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const events = () =>
      stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { message: string; metricsPort?: number });
    let port: number | undefined;
    while (port === undefined) {
      if (child.exitCode !== null) throw new Error(`the run ended before serving metrics: ${stderr}`);
      port = events().find((e) => e.metricsPort !== undefined)?.metricsPort;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // While it runs: scraped as often as we can, until /healthz says the run is over.
    const health = () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.text(),
        () => 'gone',
      );
    let busySeen = 0;
    let scrapes = 0;
    let embeddedBefore = 0;
    let last: Awaited<ReturnType<typeof scrape>> | undefined;
    let said = await health();
    for (; said === 'running\n'; said = await health()) {
      last = await scrape(port);
      scrapes++;
      busySeen = Math.max(busySeen, value(last, 'embed_workers_busy'));
      const embedded = value(last, 'embed_rows_embedded_total');
      expect(embedded).toBeGreaterThanOrEqual(embeddedBefore);
      embeddedBefore = embedded;
    }
    expect(scrapes).toBeGreaterThan(1);
    expect(busySeen).toBeGreaterThan(0);
    expect(busySeen).toBeLessThanOrEqual(2);

    // The run is over and the process still serves: its final values. A scrape of the loop can land just
    // after the run ended, between /healthz and /metrics: that one read the final values, and the process
    // is gone (it serves them to one scrape).
    let families: Awaited<ReturnType<typeof scrape>>;
    if (said === 'gone') {
      families = last!;
    } else {
      expect(said).toBe('finished\n');
      families = await scrape(port);
    }
    // Read once: the process ends.
    const ended = await done;
    expect(ended.code, ended.stderr).toBe(0);
    const report = JSON.parse(stdout) as { rowsEmbedded: number; rowsInferred: number; rowsFailed: number };
    const inTarget = Number((await fixture.db.client.query<{ n: string }>('SELECT count(*) AS n FROM served_embeddings')).rows[0]!.n);
    expect(inTarget).toBeGreaterThan(rows * 0.9);
    expect(value(families, 'embed_rows_embedded_total')).toBe(inTarget);
    expect(report.rowsEmbedded).toBe(inTarget);
    expect(value(families, 'embed_rows_inferred_total')).toBe(report.rowsInferred);
    expect(value(families, 'embed_rows_failed_total')).toBe(0);
    expect(value(families, 'embed_workers_busy')).toBe(0);
    expect(family(families, 'embed_rows_embedded_total').metrics[0]!.labels).toEqual({
      table: '"public"."served"',
      model: expect.stringMatching(/^tiny-random@[0-9a-f]{12}$/),
    });
    expect(events().map((e) => e.message)).toContain(
      `run ended; serving the final metrics at http://localhost:${port}/metrics until one scrape reads them, at most 3600 s`,
    );
  });
});
