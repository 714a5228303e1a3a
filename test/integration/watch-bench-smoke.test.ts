/**
 * `npm run bench:watch` at tiny sizes (tiny-random, 15 s of writing, its own PostgreSQL): it ends, both
 * modes report a lag for every row written and the watcher's RSS once caught up, and the chart is an SVG.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from '../helpers/cli.js';

describe('npm run bench:watch (smoke, tiny sizes)', () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'embed-watch-bench-smoke-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('measures both modes and writes JSON and an SVG chart', async () => {
    const args = [
      '--model',
      'tiny-random',
      '--dtype',
      'fp32',
      '--minutes',
      '0.25',
      '--rate',
      '40',
      '--burst',
      '100',
      '--burst-every',
      '6',
      '--plain-rows',
      '300',
      '--initial',
      '100',
      '--out-dir',
      outDir,
    ];
    const result = await runScript('dist/bench/watch-bench.js', args);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(outDir);
    const json = JSON.parse(readFileSync(path.join(outDir, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(json.results.map((r: { mode: string }) => r.mode)).toEqual(['polling', 'trigger']);
    for (const mode of json.results) {
      expect(mode.exitCode).toBe(0);
      expect(mode.writer.rows).toBeGreaterThan(400);
      // Every row written got a vector: a lag for each.
      expect(mode.lag.all.rows).toBe(mode.writer.rows);
      expect(mode.lag.all.missing).toBe(0);
      expect(mode.lag.all.max).not.toBeNull();
      expect(mode.rssMb.max).toBeGreaterThan(0);
      // RSS once caught up: the first mark of the series.
      expect(mode.rssMb.marks[0].minute).toBe(0);
      expect(mode.rssMb.marks[0].mb).toBeGreaterThan(0);
    }
    expect(result.stdout).toMatch(/polling watcher RSS MB: caught up \d+/);
    expect(json.plainRate).toBeGreaterThan(0);
    expect(readFileSync(path.join(outDir, files.find((f) => f.endsWith('.svg'))!), 'utf8')).toMatch(/^<svg/);
  });
});
