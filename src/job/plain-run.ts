/**
 * One run of the loop over a prepared job: the pass (forward, or a retry of failed rows), progress bar
 * and interrupts, then the watermark, the run's record in the state file, the metrics and the report.
 */
import type { EmbedConfig } from '../config/config.js';
import { watchRunInterrupts } from '../process/interrupt.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { LoopObserver, LoopStats } from '../pass/embed-loop.js';
import { embedPass, type PassSetup } from '../pass/embed-pass.js';
import { createProgress } from '../pass/progress.js';
import type { RunReport } from './run-summary.js';
import { estimateRows } from '../source/source-table.js';
import { finishMetrics } from '../target/metrics-pass.js';
import { chunkMetrics as readChunkMetrics } from '../target/chunk-table.js';
import { runReport } from './run-report.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { indexAfterPass } from './index-build.js';

export interface RunSetup extends PassSetup {
  /** When the command started: the rate covers starting the workers and preparing the target too. */
  startedAt: number;
  model: ModelInfo;
  stateFile: string;
  /** Metrics, when --metrics-port serves them. */
  observer?: LoopObserver;
  /** For the vector index's build, on a session of its own. */
  connection: ConnectionConfig;
}

export async function plainRun(config: EmbedConfig, parts: RunSetup): Promise<RunReport> {
  const { startedAt, model, db, breaker, source, target, job, stateFile } = parts;
  const runId = job.startRun();
  const progress = job.progress();
  const tableRows = await estimateRows(db, source);
  const total = config.limit === undefined ? tableRows : Math.min(tableRows, config.limit);
  const rowsLeft = Math.min(config.limit ?? Number.POSITIVE_INFINITY, Math.max(0, tableRows - progress.rowsDone));
  const bar = createProgress(total, {
    quiet: config.quiet || config.json,
    rowsBefore: config.limit === undefined ? Math.min(progress.rowsDone, total) : 0,
    startedAt,
  });
  const interrupts = watchRunInterrupts(
    breaker,
    'interrupted while waiting for the database; progress is saved; run the same command again to resume',
    () => bar.stop(),
  );
  let stats: LoopStats;
  try {
    ({ stats } = await embedPass(config, parts, {
      stopRequested: () => interrupts.requested,
      onProgress: (rows) => bar.update(rows),
      observer: parts.observer,
      rowsExpected: rowsLeft,
    }));
  } catch (error) {
    job.endRun(runId, { rows: 0, skipped: 0, failed: 0, rowsPerSecond: 0, outcome: 'failed' });
    throw error;
  } finally {
    bar.stop();
    interrupts.dispose();
  }
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const rowsPerSecond = stats.rowsEmbedded / Math.max(elapsedSeconds, 1e-9);
  const outcome = interrupts.requested ? 'interrupted' : 'completed';
  job.endRun(runId, { rows: stats.rowsEmbedded, skipped: stats.rowsSkipped, failed: stats.rowsFailed, rowsPerSecond, outcome });
  const measured = config.metrics.mode !== 'off' && outcome === 'completed';
  // A chunk table keeps chunks and tokens per row instead of the row metrics (no frequency).
  const metrics = measured && !target.chunked ? await finishMetrics(db, source, target.display, config.metrics) : undefined;
  const chunkMetrics = measured && target.chunked ? { table: target.display, ...(await readChunkMetrics(db, target.display)) } : undefined;
  // Once a pass has read to the end of the table: the first, or any later one (an index already there is left as it is).
  const index = outcome === 'completed' && !job.progress().passOpen ? await indexAfterPass(config, parts.connection, target) : undefined;
  return {
    ...runReport(config, { outcome, model, source, target, stats, elapsedSeconds, rowsPerSecond, stateFile, metrics, chunkMetrics }),
    ...(index && { index }),
  };
}
