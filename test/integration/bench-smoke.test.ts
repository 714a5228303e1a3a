import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runScript } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';

// A bench's result file is read as loose JSON: each assertion names the fields it checks.
// biome-ignore lint/suspicious/noExplicitAny: the result files have no shared type to read them with
type Loose = any;

function readResult(dir: string, prefix: string): Record<string, Loose> {
  const files = readdirSync(dir).filter((file) => file.startsWith(prefix) && file.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8'));
}

describe('npm run bench (smoke, tiny sizes)', () => {
  const fixture = useTestDatabase('embed-bench-smoke-');
  const outDir = fixture.dir;

  it('loads the table, measures ceilings, the naive loop and the CLI for workers 1..2, and writes JSON and a chart', async () => {
    const dir = path.join(outDir, 'scaling');
    const { code, stdout, stderr } = await runScript('dist/bench/bench.js', [
      'smoke_texts',
      '40',
      '2',
      '--rows',
      '240',
      '--model',
      inject('tinyModelDir'),
      '--database-url',
      fixture.db.url,
      '--budgets',
      '512,2048',
      '--naive-rows',
      '20',
      '--repeat',
      '2',
      '--out-dir',
      dir,
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('end to end');
    const result = readResult(dir, 'bench-');

    // In each round the CLI runs follow the sorted ceiling they are set against, and the other ceilings come after.
    const rounds = stderr.split(/^fp32 round \d\/2: .*$/m).slice(1);
    expect(rounds).toHaveLength(2);
    for (const [round, text] of rounds.entries()) {
      const lines = text.split('\n');
      const at = (pattern: RegExp) => lines.flatMap((line, i) => (pattern.test(line) ? [i] : []));
      const sorted = at(/^fp32 all sorted, budget/);
      const cli = at(/^fp32 batch 40 workers \d: /);
      const others = at(/^fp32 batch 40(,| in table order)/);
      // The first round tries both budgets, then measures the better one again for the runs to be set against.
      expect(sorted).toHaveLength(round === 0 ? 3 : 1);
      expect(cli).toHaveLength(2);
      expect(others).toHaveLength(2);
      expect(Math.max(...sorted)).toBeLessThan(Math.min(...cli));
      expect(Math.max(...cli)).toBeLessThan(Math.min(...others));
    }

    expect(result.rows).toBe(240);
    expect(result.realTokensPerRow).toBeGreaterThan(1);
    expect(result.machine.cores).toBeGreaterThanOrEqual(1);
    expect(result.machine.onnxruntimeNode).toMatch(/^\d+\.\d+/);
    expect(result.postgres).toMatch(/^\d+/);

    const ceilings = result.ceilings.fp32;
    expect(ceilings.sorted.tried.map((t: Loose) => t.maxBatchTokens)).toEqual([512, 2048]);
    expect([512, 2048]).toContain(ceilings.sorted.budget);
    for (const measured of [ceilings.sorted, ceilings.plain['40'], ceilings.sameBatching['40']]) {
      expect(measured.rowsPerSecond.median).toBeGreaterThan(0);
      expect(measured.samples[0].rows).toBe(240);
    }
    // Plain batches pad every row to the longest of its 40; sorting all rows can only pad less.
    expect(ceilings.plain['40'].samples[0].paddingWaste).toBeGreaterThan(ceilings.sorted.samples[0].paddingWaste);
    expect(ceilings.sorted.samples[0].paddingWaste).toBeGreaterThanOrEqual(1);
    expect(result.naive.fp32.rows).toBe(20);
    expect(result.naive.fp32.rowsPerSecond).toBeGreaterThan(0);

    expect(result.engine.map((e: Loose) => e.workers)).toEqual([1, 2]);
    for (const e of result.engine) {
      expect(e.runs[0].report.rowsEmbedded).toBe(240);
      expect(e.rowsPerSecond.median).toBeGreaterThan(0);
      expect(e.paddingWaste).toBeGreaterThanOrEqual(1);
      const share = e.timeShare.read + e.timeShare.tokenize + e.timeShare.inference + e.timeShare.write;
      expect(share).toBeCloseTo(1, 2);
      if (process.platform === 'linux') {
        expect(e.peakRssMb).toBeGreaterThan(30);
        expect(e.peakRssMb).toBeLessThan(4096);
        expect(e.totalPeakRssMb).toBeGreaterThanOrEqual(e.peakRssMb * 0.5);
      }
      // Each round's run against that round's sorted ceiling; of two rounds the median is their mean.
      expect(e.runs).toHaveLength(2);
      const perRound = e.runs.map((run: Loose, round: number) => run.report.rowsPerSecond / ceilings.sorted.samples[round].rowsPerSecond);
      expect(e.vsSortedCeiling.samples).toBe(2);
      expect(e.vsSortedCeiling.median).toBeCloseTo((perRound[0] + perRound[1]) / 2, 6);
      expect(e.vsSortedCeiling.min).toBeCloseTo(Math.min(...perRound), 6);
      expect(e.vsSortedCeiling.max).toBeCloseTo(Math.max(...perRound), 6);
      const steadyPerRound = e.runs
        .map(
          (run: Loose, round: number) => run.steadyRowsPerSecond && run.steadyRowsPerSecond / ceilings.sorted.samples[round].rowsPerSecond,
        )
        .filter((ratio: number | null) => ratio !== null);
      if (steadyPerRound.length === 0) expect(e.steadyVsSortedCeiling).toBeNull();
      else expect(e.steadyVsSortedCeiling.min).toBeCloseTo(Math.min(...steadyPerRound), 6);
    }
    expect(result.engine[0].speedup).toBe(1);
    expect(result.targets.length).toBeGreaterThan(0);
    // The steady state's target is checked where the best run has a steady rate (not when start-up was most of it).
    const best = result.engine.reduce((a: Loose, b: Loose) => (b.rowsPerSecond.median > a.rowsPerSecond.median ? b : a));
    expect(result.targets.some((t: Loose) => t.issue === 26)).toBe(best.steadyVsSortedCeiling !== null);
    for (const target of result.targets) expect(typeof target.holds).toBe('boolean');

    const chart = readFileSync(result.files.chart, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('sorted ceiling');

    // The table stays for the next run; what the runs wrote does not.
    const tables = await fixture.db.client.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'smoke_texts%'`,
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(['smoke_texts']);
    const ids = await fixture.db.client.query<{ n: string; low: string; high: string }>(
      'SELECT count(*) AS n, min(id) AS low, max(id) AS high FROM smoke_texts',
    );
    expect(ids.rows[0]).toEqual({ n: '240', low: '1', high: '240' });
  }, 60_000);

  it('--scale runs the same command on two table sizes and compares peak RSS', async () => {
    const dir = path.join(outDir, 'scale');
    const { code, stderr } = await runScript('dist/bench/bench.js', [
      'smoke_scale',
      '50',
      '1',
      '--scale',
      '--scale-rows',
      '150,300',
      '--model',
      inject('tinyModelDir'),
      '--database-url',
      fixture.db.url,
      '--out-dir',
      dir,
    ]);
    expect(code, stderr).toBe(0);
    const result = readResult(dir, 'bench-scale-');
    expect(result.sizes.map((s: Loose) => s.rows)).toEqual([150, 300]);
    for (const size of result.sizes) {
      expect(size.runs[0].report.rowsEmbedded).toBe(size.rows);
      expect(size.rowsPerSecond.median).toBeGreaterThan(0);
    }
    if (process.platform === 'linux') {
      expect(result.peakRssRatio).toBeCloseTo(result.sizes[1].peakRssMb.median / result.sizes[0].peakRssMb.median, 6);
      expect(typeof result.holds).toBe('boolean');
    }
    const tables = await fixture.db.client.query<{ relname: string; rows: string }>(
      `SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text AS rows
         FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'smoke_scale%' ORDER BY c.relname`,
    );
    expect(tables.rows).toEqual([
      { relname: 'smoke_scale_150', rows: '150' },
      { relname: 'smoke_scale_300', rows: '300' },
    ]);
  }, 60_000);
});
