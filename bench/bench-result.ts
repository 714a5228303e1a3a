/** What `npm run bench` measures and writes as JSON: the shape shared by the run, the targets and the report. */
import type { Dtype } from '../src/model/model-folder.js';
import type { Throughput } from './encoder-throughput.js';
import type { EngineRun } from './engine-run.js';
import type { MachineFacts } from './machine-facts.js';
import type { NaiveResult } from './naive-baseline.js';
import type { Spread } from './spread.js';

/** A ceiling measured `repeat` times. */
export interface Repeated {
  samples: Throughput[];
  rowsPerSecond: Spread;
}

export interface DtypeCeilings {
  /** Every text sorted by token count, the best budget (chosen on the first pass, then repeated). */
  sorted: Repeated & { budget: number; tried: Throughput[] };
  /** Per batch size: that many rows per session run, in table order, padded to the longest (none with --skip-plain). */
  plain: Partial<Record<number, Repeated>>;
  /** Per batch size: the engine's batching (sorted token-budget runs within each window of batches), no database. */
  sameBatching: Record<number, Repeated>;
}

export interface EngineConfigResult {
  dtype: Dtype;
  batchSize: number;
  workers: number;
  threads: number;
  runs: (EngineRun & { steadyRowsPerSecond: number | null })[];
  rowsPerSecond: Spread;
  /** Rows/s once the workers are up: rows / (elapsed - the start-up probe's elapsed). */
  steadyRowsPerSecond: Spread | null;
  /** Real tokens of the embedded texts per second. */
  tokensPerSecond: number;
  speedup: number;
  /** Speedup divided by min(workers, cores): 1 means every core added its full share. */
  efficiency: number;
  vsPlainCeiling: number | null;
  vsSameBatching: number;
  /** Rows/s over the sorted ceiling measured just before in the same round, median [min-max] over rounds. */
  vsSortedCeiling: Spread;
  /** The steady rate over the same round's sorted ceiling; null where start-up was most of every run. */
  steadyVsSortedCeiling: Spread | null;
  /**
   * Rows per CPU second of the engine process over those of the sorted ceiling's: what the engine's own
   * work costs against the bare encoder's, whatever share of the cores the machine's other users left
   * (the database server's CPU is not counted). Null when a CPU time is missing.
   */
  vsSortedPerCpu: number | null;
  vsNaive: number;
  paddingWaste: number;
  timeShare: { read: number; tokenize: number; inference: number; write: number };
  peakRssMb: number | null;
  totalPeakRssMb: number | null;
  /** Median CPU seconds per wall second the engine process got (at most the core count). */
  coresUsed: number | null;
}

export interface TargetCheck {
  issue: number;
  target: string;
  dtype: Dtype;
  batchSize: number;
  value: number;
  threshold: string;
  holds: boolean;
}

export interface BenchResult {
  kind: 'bench';
  startedAt: string;
  finishedAt: string;
  machine: MachineFacts;
  postgres: string;
  loadAverage: { before: number; after: number };
  table: string;
  tableSource: string;
  rows: number;
  realTokensPerRow: number;
  model: string;
  dtypes: Dtype[];
  batchSizes: number[];
  workers: number[];
  repeat: number;
  maxBatchTokens: number;
  sortWindow: number;
  ceilings: Record<string, DtypeCeilings>;
  naive: Record<string, NaiveResult>;
  startupSeconds: Record<string, Record<number, number>>;
  engine: EngineConfigResult[];
  targets: TargetCheck[];
  files: { json: string; chart: string };
}
