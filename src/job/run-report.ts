/** The facts a run reports at its end (printed by run-summary.ts), from what the loop counted. */
import type { EmbedConfig } from '../config/config.js';
import type { ModelInfo } from '../model/model-folder.js';
import { describeTokenizer } from '../model/tokenizer-note.js';
import type { LoopStats } from '../pass/embed-loop.js';
import type { RunReport } from './run-summary.js';
import { computeSlots } from '../pass/worker-config.js';
import type { SourceTable } from '../source/source-table.js';
import type { Target } from '../target/target-table.js';

export interface RunFacts {
  outcome: RunReport['outcome'];
  model: ModelInfo;
  source: SourceTable;
  target: Target;
  stats: LoopStats;
  elapsedSeconds: number;
  rowsPerSecond: number;
  stateFile: string;
  metrics: RunReport['metrics'];
  chunkMetrics?: RunReport['chunkMetrics'];
}

export function runReport(
  config: EmbedConfig,
  { outcome, model, source, target, stats, elapsedSeconds, rowsPerSecond, stateFile, metrics, chunkMetrics }: RunFacts,
): RunReport {
  const busy = stats.readMs + stats.tokenizeMs + stats.inferenceMs + stats.writeMs || 1;
  return {
    outcome,
    table: source.sql,
    target: target.display,
    model: model.name,
    tokenizer: describeTokenizer(model.dir),
    profile: model.profile,
    dtype: model.weights,
    device: config.device,
    workers: config.workers,
    workersUsed: stats.workersUsed,
    computeSlots: computeSlots(config),
    threads: config.threads,
    batchSize: config.batchSize,
    rowsEmbedded: stats.rowsEmbedded,
    rowsNew: stats.rowsByKind.new,
    rowsLate: stats.rowsByKind.late,
    rowsChanged: stats.rowsByKind.changed,
    rowsInferred: stats.rowsInferred,
    rowsFromDuplicates: config.metrics.mode === 'only' ? 0 : stats.rowsEmbedded - stats.rowsInferred,
    rowsSkipped: stats.rowsSkipped,
    rowsFailed: stats.rowsFailed,
    rowsTruncated: stats.truncated,
    elapsedSeconds,
    rowsPerSecond,
    paddingWaste: stats.realTokens > 0 ? stats.paddedTokens / stats.realTokens : 1,
    timeShare: {
      read: stats.readMs / busy,
      tokenize: stats.tokenizeMs / busy,
      inference: stats.inferenceMs / busy,
      write: stats.writeMs / busy,
    },
    stateFile,
    metricsMode: config.metrics.mode,
    metrics,
    ...(chunkMetrics && { chunkMetrics }),
  };
}
