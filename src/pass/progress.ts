/**
 * What the user sees while a run goes: a live bar on a terminal (cli-progress), one line every few
 * seconds when stderr is a file or a pipe, nothing with --quiet. The count includes rows done by earlier
 * runs of the job; the rate and the ETA are this run's: its rows over its time, counted from the command's
 * start as the summary's rate is.
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  /** `rowsThisRun`: rows this run has finished (embedded, skipped or failed). */
  update(rowsThisRun: number): void;
  stop(): void;
}

export interface ProgressOptions {
  quiet: boolean;
  /** Rows of the job done before this run (a resumed or incremental run starts there). */
  rowsBefore?: number;
  /** When the command started, in the clock's milliseconds. */
  startedAt?: number;
  stream?: NodeJS.WriteStream;
  /** Milliseconds; performance.now() unless a test says otherwise. */
  clock?: () => number;
  /** What is counted, before the count (default "embedding"; a distributed host counts its pass). */
  label?: string;
}

export interface RunPace {
  rowsPerSecond: number;
  /** Seconds until `total` at that pace; undefined before any row, 0 when done. */
  etaSeconds: number | undefined;
}

/** This run's pace: its rows over its time, and what is left of the total at that pace. */
export function runPace(rowsThisRun: number, rowsBefore: number, total: number, elapsedMs: number): RunPace {
  const rowsPerSecond = rowsThisRun / Math.max(elapsedMs / 1000, 1e-3);
  const left = Math.max(total - rowsBefore - rowsThisRun, 0);
  return { rowsPerSecond, etaSeconds: left === 0 ? 0 : rowsPerSecond > 0 ? left / rowsPerSecond : undefined };
}

export function createProgress(total: number, options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => undefined, stop: () => undefined };
  const clock = options.clock ?? (() => performance.now());
  const run = {
    total,
    rowsBefore: options.rowsBefore ?? 0,
    startedAt: options.startedAt ?? clock(),
    clock,
    label: options.label ?? 'embedding',
  };
  return stream.isTTY ? terminalBar(run, stream) : periodicLines(run, stream);
}

interface RunClock {
  total: number;
  rowsBefore: number;
  startedAt: number;
  clock: () => number;
  label: string;
}

const etaText = (pace: RunPace): string => (pace.etaSeconds === undefined ? '?' : formatDuration(pace.etaSeconds));

function terminalBar(run: RunClock, stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${run.label} |{bar}| {value}/{total} rows | {rate} rows/s | ETA {eta}`,
      hideCursor: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(run.total, run.rowsBefore, 1), run.rowsBefore, { rate: 0, eta: '?' });
  return {
    update(rowsThisRun) {
      const done = run.rowsBefore + rowsThisRun;
      if (done > bar.getTotal()) bar.setTotal(done);
      const pace = runPace(rowsThisRun, run.rowsBefore, run.total, run.clock() - run.startedAt);
      bar.update(done, { rate: Math.round(pace.rowsPerSecond), eta: etaText(pace) });
    },
    stop: () => bar.stop(),
  };
}

function periodicLines(run: RunClock, stream: NodeJS.WriteStream, everyMs = 5000): ProgressReporter {
  let lastLineAt = run.clock();
  return {
    update(rowsThisRun) {
      const now = run.clock();
      if (now - lastLineAt < everyMs) return;
      lastLineAt = now;
      const pace = runPace(rowsThisRun, run.rowsBefore, run.total, now - run.startedAt);
      const eta = pace.etaSeconds ? `, ETA ${etaText(pace)}` : '';
      stream.write(`${run.label}: ${run.rowsBefore + rowsThisRun}/${run.total} rows, ${Math.round(pace.rowsPerSecond)} rows/s${eta}\n`);
    },
    stop: () => undefined,
  };
}

/** Rounds first and then splits, so that 299.6 s reads 5m0s, not 4m60s. */
export function formatDuration(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const wholeSeconds = Math.round(seconds);
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)}m${wholeSeconds % 60}s`;
  const wholeMinutes = Math.round(seconds / 60);
  return `${Math.floor(wholeMinutes / 60)}h${wholeMinutes % 60}m`;
}
