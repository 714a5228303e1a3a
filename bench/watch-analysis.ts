/** The watch bench's figures: lag spreads, and the table and drain lines it prints. */
import { fixed, formatTable } from './text-table.js';
import type { TimePoint } from './watch-chart.js';
import { formatRss, type RssFigures } from './watch-memory.js';
import type { WriterLog } from './watch-writer.js';

export interface Spread {
  rows: number;
  /** Rows with no vector when the watcher stopped. */
  missing: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface ModeResult {
  mode: string;
  writer: WriterLog;
  lag: { all: Spread; betweenBursts: Spread; burstRows: Spread };
  drains: { burstAt: number; seconds: number | null; rowsPerSecond: number | null }[];
  rssMb: RssFigures;
  exitCode: number | null;
  series: { backlog: TimePoint[]; lag: TimePoint[]; rss: TimePoint[] };
}

export function spread(values: (number | null)[]): Spread {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const at = (q: number) => (present.length === 0 ? null : present[Math.min(present.length - 1, Math.floor(q * present.length))]!);
  // Rows never embedded count as missing, not as fast.
  return {
    rows: values.length,
    missing: values.length - present.length,
    p50: at(0.5),
    p95: at(0.95),
    max: present.length === 0 ? null : present.at(-1)!,
  };
}

export function report(results: ModeResult[], plain: number | null): void {
  const s = (v: number | null) => (v === null ? '-' : fixed(v, 2));
  console.log(
    formatTable(
      [
        'mode',
        'rows',
        'lag p50',
        'p95',
        'max',
        'between bursts p50',
        'p95',
        'max',
        'burst rows p95',
        'max',
        'RSS MB start/max/end',
        'exit',
      ],
      results.map((r) => [
        r.mode,
        String(r.writer.rows),
        s(r.lag.all.p50),
        s(r.lag.all.p95),
        s(r.lag.all.max),
        s(r.lag.betweenBursts.p50),
        s(r.lag.betweenBursts.p95),
        s(r.lag.betweenBursts.max),
        s(r.lag.burstRows.p95),
        s(r.lag.burstRows.max),
        `${fixed(r.rssMb.start, 0)}/${fixed(r.rssMb.max, 0)}/${fixed(r.rssMb.end, 0)}`,
        String(r.exitCode),
      ]),
    ),
  );
  for (const r of results) {
    const drains = r.drains.map((d) =>
      d.rowsPerSecond === null
        ? 'not drained'
        : `${fixed(d.seconds!, 1)}s at ${fixed(d.rowsPerSecond)} rows/s${plain === null ? '' : ` (${fixed((d.rowsPerSecond / plain) * 100, 0)}% of plain)`}`,
    );
    console.log(`${r.mode} bursts drained: ${drains.join('; ')}`);
    console.log(formatRss(r.mode, r.rssMb));
  }
}
