/** The end-of-run report: a few human lines, or one JSON object with the same facts. */
import type { MetricsMode } from '../config/metrics-options.js';
import type { MetricsSummary } from '../target/metrics-pass.js';
import type { ChunkMetrics } from '../target/chunk-table.js';
import { describeProfile, type ModelProfile } from '../model/model-profile.js';
import { formatDuration } from '../pass/progress.js';
import type { IndexOutcome } from '../target/vector-index.js';
import { describeIndexOutcome } from './index-build.js';

export interface RunReport {
  outcome: 'completed' | 'interrupted';
  /** The vector index after a completed pass (--index), when the target gets one. */
  index?: IndexOutcome;
  table: string;
  target: string;
  model: string;
  /** Which tokenizer the model has (see src/model/tokenizer-note.ts). */
  tokenizer: string;
  /** How the model is used: pooling, normalisation, prompts, dimensions (see src/model/model-profile.ts). */
  profile: ModelProfile;
  dtype: string;
  device: string;
  workers: number;
  /** Workers that ran at least one task: on the CPU, tasks go to as few workers as can compute at once. */
  workersUsed: number;
  /** Tasks that may compute at once (see common/compute-gate.ts). */
  computeSlots: number;
  threads: number;
  batchSize: number;
  /** Rows written to the target: embedded, or with metrics-only measured. */
  rowsEmbedded: number;
  /** Of those: rows the target had no vector for, written after the last complete pass started... */
  rowsNew: number;
  /** ...or committed after it read past them, by transactions that had started before it... */
  rowsLate: number;
  /** ...and rows whose text changed since the target's vector was made. */
  rowsChanged: number;
  /** Rows the model ran on. */
  rowsInferred: number;
  /** Rows given the vector of another row with the same model input (this run's or one stored before). */
  rowsFromDuplicates: number;
  rowsSkipped: number;
  rowsFailed: number;
  rowsTruncated: number;
  elapsedSeconds: number;
  rowsPerSecond: number;
  /** Padded tokens the model computed per real token (1 = no padding). */
  paddingWaste: number;
  timeShare: { read: number; tokenize: number; inference: number; write: number };
  stateFile: string;
  metricsMode: MetricsMode;
  /** The table's metrics once a run with them completes (see src/target/metrics-pass.ts). */
  metrics?: MetricsSummary;
  /** A chunk table's metrics once a run with --metrics completes (see src/target/chunk-table.ts). */
  chunkMetrics?: ChunkMetrics & { table: string };
}

export function formatReport(report: RunReport): string {
  const measuredOnly = report.metricsMode === 'only';
  const lines = [
    `${report.outcome === 'completed' ? 'done' : 'interrupted'}: ${report.rowsEmbedded} rows ${measuredOnly ? 'measured (metrics only, no model run)' : 'embedded'}, ${report.rowsSkipped} skipped (empty text), ${report.rowsFailed} failed, ${report.rowsTruncated} truncated`,
  ];
  if (report.rowsEmbedded > 0 && report.rowsEmbedded !== report.rowsNew) {
    lines.push(`  ${report.rowsNew} new, ${report.rowsLate} committed late, ${report.rowsChanged} changed since the last complete pass`);
  }
  if (!measuredOnly && report.rowsEmbedded > 0) {
    lines.push(
      `  ${report.rowsInferred} inferred, ${report.rowsFromDuplicates} copied from a duplicate (${percent(report.rowsFromDuplicates / report.rowsEmbedded)})`,
    );
  }
  const padding = measuredOnly ? '' : `, padding ${report.paddingWaste.toFixed(2)}x`;
  lines.push(
    `  ${formatDuration(report.elapsedSeconds)}, ${report.rowsPerSecond.toFixed(1)} rows/s, ${formatWorkers(report)}, batch ${report.batchSize}${padding}`,
    `  model ${report.model} (${report.dtype}, ${report.device}) -> ${report.target}`,
    `  tokenizer ${report.tokenizer}`,
    `  profile ${describeProfile(report.profile)}`,
    ...report.profile.notes.map((note) => `  note: ${note}`),
  );
  if (report.metrics) lines.push(formatMetrics(report.metrics));
  if (report.chunkMetrics) lines.push(formatChunkMetrics(report.chunkMetrics));
  if (report.index) lines.push(`  ${describeIndexOutcome(report.index)}`);
  return `${lines.join('\n')}\n`;
}

function formatMetrics(metrics: MetricsSummary): string {
  const tokens = metrics.tokens ? `tokens p50 ${metrics.tokens.p50}, p95 ${metrics.tokens.p95}, max ${metrics.tokens.max}` : 'no tokens';
  return (
    `  metrics in ${metrics.table} (${metrics.rows} rows): ${tokens}; ${percent(metrics.truncatedShare)} truncated; ` +
    `${percent(metrics.duplicateShare)} duplicates, ${metrics.distinctTexts} distinct texts${metrics.foldCase ? ' (case folded)' : ''}` +
    (metrics.unmeasured > 0
      ? `\n  ${metrics.unmeasured} rows were embedded without metrics: run again with --metrics --refresh to measure them`
      : '')
  );
}

function formatChunkMetrics(metrics: ChunkMetrics & { table: string }): string {
  const spread = (what: string, s: ChunkMetrics['chunksPerRow']) => (s ? `${what} p50 ${s.p50}, p95 ${s.p95}, max ${s.max}` : `no ${what}`);
  return (
    `  metrics in ${metrics.table} (${metrics.rows} rows): ${spread('chunks per row', metrics.chunksPerRow)}; ` +
    `${spread('tokens per row before chunking', metrics.tokensPerRow)}` +
    (metrics.unmeasured > 0
      ? `\n  ${metrics.unmeasured} rows were embedded without metrics: run again with --metrics --refresh to measure them`
      : '')
  );
}

function formatWorkers(report: RunReport): string {
  const workers = `${report.workers} workers x ${report.threads} threads`;
  if (report.computeSlots >= report.workers) return workers;
  return `${workers} (${report.computeSlots} computing at once on this CPU, ${report.workersUsed} used)`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
