/**
 * The vector index after a completed pass (target/vector-index.ts), as a run shows it: a bar on a
 * terminal (the build's phase and how far it is, from pg_stat_progress_create_index), a line every few
 * seconds otherwise, nothing with --quiet. Ctrl-C or SIGTERM cancels the build; the invalid index it
 * leaves is dropped and built again by the next run.
 */
import cliProgress from 'cli-progress';
import type { ConnectionConfig } from '../../common/connection-config.js';
import type { EmbedConfig } from '../config/config.js';
import { watchInterrupts } from '../process/interrupt.js';
import type { Target } from '../target/target-table.js';
import { startIndexBuild, type IndexOutcome, type IndexProgress } from '../target/vector-index.js';

export async function indexAfterPass(
  config: Pick<EmbedConfig, 'quiet' | 'json' | 'maintenanceWorkMem'>,
  connection: ConnectionConfig,
  target: Pick<Target, 'ref' | 'storage' | 'index' | 'display'>,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<IndexOutcome | undefined> {
  if (target.index === 'none') return undefined;
  const shown = config.quiet || config.json ? undefined : indexProgress(`index on ${target.display}`, stream);
  const build = startIndexBuild(connection, {
    ref: target.ref,
    storage: target.storage,
    kind: target.index,
    maintenanceWorkMem: config.maintenanceWorkMem,
    onProgress: (progress) => shown?.update(progress),
  });
  const interrupts = watchInterrupts(() => void build.cancel());
  try {
    return await build.done;
  } finally {
    interrupts.dispose();
    shown?.stop();
  }
}

/** What a run's report says of the index. */
export function describeIndexOutcome(outcome: IndexOutcome): string {
  switch (outcome.kind) {
    case 'built':
      return `index ${outcome.name} (${outcome.method}) ${outcome.rebuilt ? 'dropped (invalid) and built again' : 'built'} in ${outcome.seconds.toFixed(1)}s`;
    case 'present':
      return `index ${outcome.name} (${outcome.method}) present`;
    case 'foreign':
      return `index ${outcome.name} (${outcome.method}) is the user's own on the column: embed builds none`;
    case 'busy':
      return `index ${outcome.name}: another session is building an index on the table; the next run checks it`;
    case 'cancelled':
      return `index ${outcome.name}: build cancelled; the next run drops what it left and builds it again`;
  }
}

interface IndexProgressView {
  update(progress: IndexProgress): void;
  stop(): void;
}

function indexProgress(label: string, stream: NodeJS.WriteStream, everyMs = 5000): IndexProgressView {
  const percent = (p: IndexProgress) => (p.total > 0 ? Math.min(100, Math.floor((100 * p.done) / p.total)) : 0);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} |{bar}| {percentage}% | {phase}`, hideCursor: true, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { phase: 'starting' });
    return { update: (p) => bar.update(percent(p), { phase: p.phase }), stop: () => bar.stop() };
  }
  let lastLineAt = performance.now();
  stream.write(`${label}: building\n`);
  return {
    update(p) {
      if (performance.now() - lastLineAt < everyMs) return;
      lastLineAt = performance.now();
      stream.write(`${label}: ${p.phase}${p.total > 0 ? `, ${percent(p)}%` : ''}\n`);
    },
    stop: () => undefined,
  };
}
