/** What the main thread sends a worker for one batch, and what the worker reports once it has committed. */
import type { Device } from '../workers/onnx-session.js';
import type { WorkerFailure, WriteContext } from './batch-failure.js';
import type { ConnectionConfig } from './database.js';
import type { WritePlan } from './target-table.js';

export interface WorkerConfig {
  modelDir: string;
  onnxFile: string;
  maxSequenceLength: number;
  threads: number;
  device: Device;
  maxBatchTokens: number;
  /** False in a metrics-only run: the worker loads the tokenizer alone and never the model. */
  runModel: boolean;
  /** The inputs being embedded right now, shared by all workers (see workers/input-claims.ts). */
  inputClaims: SharedArrayBuffer;
  /** node-postgres client config: a connection string (or none, for the PG* variables) and timeouts. */
  connection: ConnectionConfig;
  plan: WritePlan;
  /** What a worker needs to word a failed write. */
  writeContext: WriteContext;
}

export interface BatchTask {
  seq: number;
  ids: string[];
  texts: string[];
}

export interface BatchResult {
  seq: number;
  written: number;
  /** Rows the model ran on; the others repeated an input already embedded (or no model ran). */
  rowsInferred: number;
  truncatedIds: string[];
  /** Word pieces before truncation, one per row. */
  tokenCounts: number[];
  realTokens: number;
  paddedTokens: number;
  tokenizeMs: number;
  inferenceMs: number;
  writeMs: number;
}

/** A batch the worker could not commit, reported as data (see batch-failure.ts). */
export interface BatchFailureReport {
  seq: number;
  failure: WorkerFailure;
}

export type BatchOutcome = BatchResult | BatchFailureReport;

/**
 * Sent once per worker when the pool closes: each worker frees its ONNX session and connection itself,
 * since a thread terminated while holding a session can abort the whole process in native code. The
 * barrier (a shared counter) holds every worker until all have arrived, so none takes a second one.
 */
export interface CloseTask {
  close: { barrier: SharedArrayBuffer; workers: number };
}
