/**
 * What the loop tells the metrics and the event log about each page and batch: rows embedded, inferred
 * and failed, stage latencies, and each row's freshness lag (its commit to its vector's
 * commit, taken as the moment the worker's report arrives, a few milliseconds after its COMMIT).
 */
import type { LoopObserver } from './embed-loop.js';
import type { EngineMetrics } from '../observe/engine-metrics.js';
import type { EventLog } from '../observe/event-log.js';

export interface ObserverOptions {
  metrics?: EngineMetrics;
  /** Batch failures go here (a watcher's log; a plain run reports them in its summary). */
  log?: EventLog;
  /** Told of each row's lag in seconds (a watcher keeps recent ones for embed status). */
  onLag?: (seconds: number) => void;
}

export function loopObserver(options: ObserverOptions): LoopObserver {
  const { metrics, log } = options;
  return {
    pageRead(ms) {
      metrics?.stage('read', ms / 1000);
    },
    batchRecorded(rows, result, failed) {
      if (result) {
        metrics?.rowsEmbedded(result.written, result.rowsInferred);
        metrics?.stage('tokenize', result.tokenizeMs / 1000);
        metrics?.stage('infer', result.inferenceMs / 1000);
        metrics?.stage('write', result.writeMs / 1000);
      }
      if (failed.length > 0) {
        metrics?.rowsFailed(failed.length);
        log?.event(
          'batch-failed',
          `${failed.length} row(s) of a batch failed and were recorded (embed failures lists them): ${failed[0]!.error}`,
          {
            rows: failed.length,
            ids: failed.slice(0, 10).map((row) => row.id),
            error: failed[0]!.error,
          },
        );
      }
      const now = Date.now() / 1000;
      const failedIds = failed.length === 0 ? undefined : new Set(failed.map((row) => row.id));
      for (const row of rows) {
        if (row.committedAt === undefined || row.committedAt === null || failedIds?.has(row.id)) continue;
        const lag = Math.max(0, now - row.committedAt);
        metrics?.freshnessLag(lag);
        options.onLag?.(lag);
      }
    },
  };
}
