/**
 * What the user sees while a run goes: a live bar on a terminal (cli-progress), one line every few
 * seconds when stderr is a file or a pipe, nothing with --quiet.
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(rowsDone: number): void;
  stop(): void;
}

export function createProgress(total: number, options: { quiet: boolean; stream?: NodeJS.WriteStream }): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => undefined, stop: () => undefined };
  return stream.isTTY ? terminalBar(total, stream) : periodicLines(total, stream);
}

function terminalBar(total: number, stream: NodeJS.WriteStream): ProgressReporter {
  const startedAt = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'embedding |{bar}| {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { rate: 0 });
  return {
    update(rowsDone) {
      if (rowsDone > bar.getTotal()) bar.setTotal(rowsDone);
      bar.update(rowsDone, { rate: Math.round(rowsDone / Math.max((Date.now() - startedAt) / 1000, 1e-3)) });
    },
    stop: () => bar.stop(),
  };
}

function periodicLines(total: number, stream: NodeJS.WriteStream, everyMs = 5000): ProgressReporter {
  const startedAt = Date.now();
  let lastLineAt = startedAt;
  return {
    update(rowsDone) {
      const now = Date.now();
      if (now - lastLineAt < everyMs) return;
      lastLineAt = now;
      const rate = rowsDone / ((now - startedAt) / 1000);
      const left = Math.max(total - rowsDone, 0);
      const eta = rate > 0 && left > 0 ? `, ETA ${formatDuration(left / rate)}` : '';
      stream.write(`embedding: ${rowsDone}/${total} rows, ${Math.round(rate)} rows/s${eta}\n`);
    },
    stop: () => undefined,
  };
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
