/**
 * `node dist/bench/memory-probe-report.js PROBE.jsonl [--every 60] [--pid PID]`: what bench/memory-probe.cjs
 * recorded, as the median of each window: the process's RSS, the main thread's V8 heap (its new space in
 * brackets), the worker threads' heaps summed (each worker's latest line), and native memory: resident
 * anonymous and brk memory that no V8 heap accounts for (onnxruntime, malloc arenas, ArrayBuffer contents,
 * and the heaps of workers that have not reported, such as idle ones). A leak climbs window after window;
 * a warm-up climbs and stops.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatTable } from './text-table.js';

interface ProbeLine {
  t: number;
  pid: number;
  thread: number;
  rss: number;
  heapTotal: number;
  /** Missing from lines of an older probe. */
  newSpace?: number;
  smaps?: { anon: number; brk: number; file: number };
}

interface Sample {
  t: number;
  rss: number;
  main: number;
  mainNew: number;
  workers: number;
  workersNew: number;
  native: number;
}

function samples(lines: ProbeLine[]): Sample[] {
  const latest = new Map<number, ProbeLine>();
  const out: Sample[] = [];
  for (const line of [...lines].sort((a, b) => a.t - b.t)) {
    if (line.thread !== 0) {
      latest.set(line.thread, line);
      continue;
    }
    const workers = [...latest.values()];
    const workerHeaps = workers.reduce((sum, w) => sum + w.heapTotal, 0);
    out.push({
      t: line.t,
      rss: line.rss,
      main: line.heapTotal,
      mainNew: line.newSpace ?? Number.NaN,
      workers: workerHeaps,
      workersNew: workers.reduce((sum, w) => sum + (w.newSpace ?? Number.NaN), 0),
      native: line.smaps ? line.smaps.anon + line.smaps.brk - line.heapTotal - workerHeaps : Number.NaN,
    });
  }
  return out;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function main(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { every: { type: 'string', default: '60' }, pid: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: memory-probe-report.js PROBE.jsonl [--every SECONDS] [--pid PID]');
  const lines = readFileSync(positionals[0]!, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ProbeLine);
  // Default: the process whose workers reported (the engine, not a bench around it).
  const pid = values.pid === undefined ? (lines.find((l) => l.thread !== 0)?.pid ?? lines[0]?.pid) : Number(values.pid);
  const own = samples(lines.filter((l) => l.pid === pid));
  if (own.length === 0) throw new Error(`no main-thread lines for pid ${pid}`);
  const every = Number(values.every);
  const windows = new Map<number, Sample[]>();
  for (const s of own) {
    const key = Math.floor((s.t - own[0]!.t) / every) * every;
    windows.set(key, [...(windows.get(key) ?? []), s]);
  }
  const mb = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(0));
  process.stdout.write(
    `pid ${pid}, medians per ${every} s, MB\n` +
      formatTable(
        ['from s', 'RSS', 'main heap', '(new)', 'worker heaps', '(new)', 'native'],
        [...windows].map(([at, group]) => {
          const m = (key: keyof Sample) => mb(median(group.map((s) => s[key])));
          return [String(at), m('rss'), m('main'), m('mainNew'), m('workers'), m('workersNew'), m('native')];
        }),
      ),
  );
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`memory-probe-report: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
