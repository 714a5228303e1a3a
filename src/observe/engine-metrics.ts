/**
 * The engine's Prometheus metrics (prom-client, a registry of its own): rows embedded, inferred and
 * failed, the backlog, freshness lag, each stage's latency, workers busy, database up, model loaded, and
 * the process's own (resident memory, event loop, heap). Names follow Prometheus conventions: base
 * units (seconds, bytes), `_total` on counters.
 */
import client from 'prom-client';

export type Stage = 'read' | 'tokenize' | 'infer' | 'write';

export interface MetricLabels {
  /** The source table, schema-qualified. */
  table: string;
  /** The model label the target records (name@hash12). */
  model: string;
}

export interface MetricSources {
  /** Worker threads computing at this moment, read at each scrape. */
  workersComputing(): number;
}

export class EngineMetrics {
  readonly registry = new client.Registry();
  private readonly embedded: client.Counter<'table' | 'model'>;
  private readonly inferred: client.Counter<'table' | 'model'>;
  private readonly failed: client.Counter<'table' | 'model'>;
  private readonly backlog: client.Gauge<'table'>;
  private readonly lag: client.Histogram<'table'>;
  private readonly stages: client.Histogram<'stage'>;
  private readonly databaseUp: client.Gauge;
  private readonly modelLoaded: client.Gauge<'model'>;

  constructor(
    private readonly labels: MetricLabels,
    sources: MetricSources,
  ) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry });
    this.embedded = new client.Counter({
      name: 'embed_rows_embedded_total',
      help: 'Rows whose vector was committed to the target',
      labelNames: ['table', 'model'],
      registers,
    });
    this.inferred = new client.Counter({
      name: 'embed_rows_inferred_total',
      help: 'Rows the model ran on (the others reused the vector of an identical input)',
      labelNames: ['table', 'model'],
      registers,
    });
    this.failed = new client.Counter({
      name: 'embed_rows_failed_total',
      help: 'Rows isolated as the cause of a failing batch and recorded as failed',
      labelNames: ['table', 'model'],
      registers,
    });
    this.backlog = new client.Gauge({
      name: 'embed_backlog_rows',
      help: 'Rows written to the table and not embedded yet, as of the last count',
      labelNames: ['table'],
      registers,
    });
    this.lag = new client.Histogram({
      name: 'embed_freshness_lag_seconds',
      help: "Seconds from a row's commit to its vector's commit (needs track_commit_timestamp on the server)",
      labelNames: ['table'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600],
      registers,
    });
    this.stages = new client.Histogram({
      name: 'embed_batch_stage_seconds',
      help: 'Seconds one batch spent in a stage: read (a page of rows), tokenize, infer, write (COPY, upsert, COMMIT)',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    // Read from the workers' compute gate when scraped: what they do, not what was handed to them.
    new client.Gauge({
      name: 'embed_workers_busy',
      help: 'Worker threads tokenizing or running the model at the moment of the scrape',
      registers,
      collect() {
        this.set(sources.workersComputing());
      },
    });
    this.databaseUp = new client.Gauge({ name: 'embed_database_up', help: '1 while PostgreSQL answers, 0 while it is away', registers });
    this.modelLoaded = new client.Gauge({
      name: 'embed_model_loaded',
      help: '1 once a worker has loaded the model',
      labelNames: ['model'],
      registers,
    });
    // Every series exists from the start, so that a rate() over a fresh process starts at zero.
    this.embedded.inc(labels, 0);
    this.inferred.inc(labels, 0);
    this.failed.inc(labels, 0);
    this.backlog.set({ table: labels.table }, 0);
    this.databaseUp.set(1);
    this.modelLoaded.set({ model: labels.model }, 0);
  }

  rowsEmbedded(rows: number, inferred: number): void {
    this.embedded.inc(this.labels, rows);
    this.inferred.inc(this.labels, inferred);
  }

  rowsFailed(rows: number): void {
    if (rows > 0) this.failed.inc(this.labels, rows);
  }

  setBacklog(rows: number): void {
    this.backlog.set({ table: this.labels.table }, Math.max(0, rows));
  }

  freshnessLag(seconds: number): void {
    this.lag.observe({ table: this.labels.table }, Math.max(0, seconds));
  }

  stage(stage: Stage, seconds: number): void {
    this.stages.observe({ stage }, seconds);
  }

  database(up: boolean): void {
    this.databaseUp.set(up ? 1 : 0);
  }

  modelReady(): void {
    this.modelLoaded.set({ model: this.labels.model }, 1);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
