/** What `npm run bench` prints (aligned tables) and draws (the scaling chart) from its result. */
import { rowsPerTask } from '../src/config/config.js';
import type { BenchResult, Repeated } from './bench-result.js';
import { formatMachineFacts } from './machine-facts.js';
import { scalingChart, type CeilingLine, type ScalingPoint } from './scaling-chart.js';
import { formatSpread, spread } from './spread.js';
import { fixed, formatTable, percent } from './text-table.js';

export function formatBench(result: BenchResult): string {
  const out: string[] = [];
  out.push(
    `${formatMachineFacts(result.machine)}, PostgreSQL ${result.postgres}\n` +
      `table ${result.table} (${result.tableSource}), ${result.rows} rows per run, ${fixed(result.realTokensPerRow)} real tokens per row, ` +
      `model ${result.model}, engine budget ${result.maxBatchTokens}, sort window ${result.sortWindow}, repeat ${result.repeat}, ` +
      `load average ${result.loadAverage.before} -> ${result.loadAverage.after}\n`,
  );
  const ceilingRows: string[][] = [];
  for (const dtype of result.dtypes) {
    const c = result.ceilings[dtype]!;
    const row = (label: string, r: Repeated) => {
      const t = r.samples[0]!;
      return [
        dtype,
        label,
        `${t.sessions}x${t.threadsPerSession}`,
        formatSpread(r.rowsPerSecond),
        fixed(r.rowsPerSecond.median * (t.realTokens / t.rows), 0),
        fixed(t.paddingWaste, 2),
        fixed(spread(r.samples.map((sample) => sample.coresUsed)).median, 2),
      ];
    };
    ceilingRows.push(row(`sorted ceiling (all sorted, budget ${c.sorted.budget})`, c.sorted));
    for (const b of result.batchSizes) {
      const plain = c.plain[b];
      if (plain !== undefined) ceilingRows.push(row(`plain: batch ${b} in table order`, plain));
    }
    for (const b of result.batchSizes) {
      ceilingRows.push(
        row(
          `same batching: batch ${b}, window ${rowsPerTask(b, result.sortWindow)} rows, budget ${result.maxBatchTokens}`,
          c.sameBatching[b]!,
        ),
      );
    }
    const n = result.naive[dtype]!;
    ceilingRows.push([
      dtype,
      `naive: 1 row, INSERT, COMMIT (${n.rows} rows)`,
      `1x${n.threads}`,
      fixed(n.rowsPerSecond),
      fixed(n.tokensPerSecond, 0),
      '1.00',
      '-',
    ]);
  }
  out.push('bare encoder (no database) and naive loop\n');
  out.push(formatTable(['dtype', 'measure', 'sessions x threads', 'rows/s', 'tokens/s', 'padding', 'cores'], ceilingRows));
  out.push('\nend to end (node bin/embed.js ... --json)\n');
  out.push(
    formatTable(
      [
        'dtype',
        'batch',
        'workers',
        'threads',
        'rows/s',
        'tokens/s',
        'speedup',
        'eff.',
        '/plain',
        '/same',
        '/sorted',
        '/sorted CPU',
        '/naive',
        'padding',
        'read',
        'tok.',
        'infer',
        'write',
        'RSS MB',
        'cores',
        'start s',
        'steady rows/s',
        'steady /sorted',
      ],
      result.engine.map((e) => [
        e.dtype,
        String(e.batchSize),
        String(e.workers),
        String(e.threads),
        formatSpread(e.rowsPerSecond),
        fixed(e.tokensPerSecond, 0),
        `${fixed(e.speedup, 2)}x`,
        percent(e.efficiency),
        e.vsPlainCeiling === null ? '-' : fixed(e.vsPlainCeiling, 2),
        fixed(e.vsSameBatching, 2),
        formatSpread(e.vsSortedCeiling, 2),
        e.vsSortedPerCpu === null ? '-' : fixed(e.vsSortedPerCpu, 2),
        fixed(e.vsNaive, 1),
        fixed(e.paddingWaste, 2),
        percent(e.timeShare.read),
        percent(e.timeShare.tokenize),
        percent(e.timeShare.inference),
        percent(e.timeShare.write),
        fixed(e.peakRssMb, 0),
        fixed(e.coresUsed, 2),
        fixed(result.startupSeconds[e.dtype]?.[e.workers], 1),
        e.steadyRowsPerSecond ? formatSpread(e.steadyRowsPerSecond) : '-',
        e.steadyVsSortedCeiling ? formatSpread(e.steadyVsSortedCeiling, 2) : '-',
      ]),
    ),
  );
  out.push('\ntargets\n');
  out.push(
    formatTable(
      ['issue', 'dtype', 'batch', 'target', 'value', 'needs', 'holds'],
      result.targets.map((t) => [
        `#${t.issue}`,
        t.dtype,
        String(t.batchSize),
        t.target,
        fixed(t.value, 2),
        t.threshold,
        t.holds ? 'yes' : 'NO',
      ]),
    ),
  );
  return out.join('');
}

export async function benchChart(result: BenchResult): Promise<string> {
  const points: ScalingPoint[] = result.engine.map((e) => ({
    dtype: e.dtype,
    group: `batch ${e.batchSize}`,
    workers: e.workers,
    median: e.rowsPerSecond.median,
    min: e.rowsPerSecond.min,
    max: e.rowsPerSecond.max,
  }));
  const lines: CeilingLine[] = [];
  for (const dtype of result.dtypes) {
    const c = result.ceilings[dtype]!;
    lines.push({ dtype, group: 'all sorted', line: 'sorted ceiling', rowsPerSecond: c.sorted.rowsPerSecond.median });
    for (const b of result.batchSizes) {
      const plain = c.plain[b];
      if (plain !== undefined) lines.push({ dtype, group: `batch ${b}`, line: 'plain ceiling', rowsPerSecond: plain.rowsPerSecond.median });
    }
    lines.push({ dtype, group: 'one row at a time', line: 'naive loop', rowsPerSecond: result.naive[dtype]!.rowsPerSecond });
  }
  return scalingChart(points, lines, `${result.model}: rows/s against workers (${result.rows} rows, ${result.machine.cores} cores)`);
}
