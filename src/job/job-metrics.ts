/**
 * `--metrics-port`: the engine's metrics for a job, served once its model is loaded, with /healthz
 * telling whether the database is away.
 */
import { EngineMetrics } from '../observe/engine-metrics.js';
import { serveMetrics, type MetricsServer } from '../observe/metrics-server.js';
import { modelLabel, type LabelledModel } from '../target/target-table.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';

export interface ServedMetrics {
  metrics: EngineMetrics;
  server: MetricsServer;
}

/** `doing` is what /healthz says the process is doing ("running", "watching"). */
export async function serveJobMetrics(
  port: number,
  table: string,
  model: LabelledModel,
  breaker: CircuitBreaker,
  doing: string,
  workersComputing: () => number,
): Promise<ServedMetrics> {
  const metrics = new EngineMetrics({ table, model: modelLabel(model) }, { workersComputing });
  metrics.modelReady();
  const server = await serveMetrics(metrics, port, () => ({ ok: true, detail: breaker.isOpen ? `${doing}; database away` : doing }));
  return { metrics, server };
}
