/** What the main thread sends a worker for one batch, and what the worker reports once it has committed. */
import type { Device } from '../workers/onnx-session.js';
import type { WritePlan } from './target-table.js';

export interface WorkerConfig {
  modelDir: string;
  onnxFile: string;
  maxSequenceLength: number;
  threads: number;
  device: Device;
  maxBatchTokens: number;
  /** node-postgres client config: a connection string, or empty to use the PG* variables. */
  connection: { connectionString?: string };
  plan: WritePlan;
}

export interface BatchTask {
  seq: number;
  ids: string[];
  texts: string[];
}

export interface BatchResult {
  seq: number;
  written: number;
  truncatedIds: string[];
  /** Word pieces before truncation, one per row. */
  tokenCounts: number[];
  realTokens: number;
  paddedTokens: number;
  tokenizeMs: number;
  inferenceMs: number;
  writeMs: number;
}
