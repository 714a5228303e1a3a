/** The end-of-run report: a few human lines, or one JSON object with the same facts. */
import { formatDuration } from './progress.js';

export interface RunReport {
  outcome: 'completed' | 'interrupted';
  table: string;
  target: string;
  model: string;
  dtype: string;
  device: string;
  workers: number;
  threads: number;
  batchSize: number;
  rowsEmbedded: number;
  rowsSkipped: number;
  rowsFailed: number;
  rowsTruncated: number;
  elapsedSeconds: number;
  rowsPerSecond: number;
  /** Padded tokens the model computed per real token (1 = no padding). */
  paddingWaste: number;
  timeShare: { read: number; tokenize: number; inference: number; write: number };
  stateFile: string;
}

export function formatReport(report: RunReport): string {
  const lines = [
    `${report.outcome === 'completed' ? 'done' : 'interrupted'}: ${report.rowsEmbedded} rows embedded, ${report.rowsSkipped} skipped (empty text), ${report.rowsFailed} failed, ${report.rowsTruncated} truncated`,
    `  ${formatDuration(report.elapsedSeconds)}, ${report.rowsPerSecond.toFixed(1)} rows/s, ${report.workers} workers x ${report.threads} threads, batch ${report.batchSize}, padding ${report.paddingWaste.toFixed(2)}x`,
    `  model ${report.model} (${report.dtype}, ${report.device}) -> ${report.target}`,
  ];
  return lines.join('\n') + '\n';
}
