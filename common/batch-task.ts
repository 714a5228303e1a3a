/** What the main thread sends a worker for one batch, and what the worker reports once it has committed. */
import type { WorkerFailure, WriteContext } from './batch-failure.js';
import type { ConnectionConfig } from './connection-config.js';
import type { OutputProfile } from './output-profile.js';
import type { WritePlan } from './write-plan.js';

export type Device = 'cpu' | 'cuda';

export interface WorkerConfig {
  modelDir: string;
  onnxFile: string;
  maxSequenceLength: number;
  threads: number;
  device: Device;
  maxBatchTokens: number;
  /** The prompt, pooling, normalisation and dimensions of the job's model profile. */
  profile: OutputProfile;
  /** False in a metrics-only run: the worker loads the tokenizer alone and never the model. */
  runModel: boolean;
  /** The inputs being embedded right now, shared by all workers (see input-claims.ts). */
  inputClaims: SharedArrayBuffer;
  /** Permits to compute, shared by all workers (see compute-gate.ts). */
  computeGate: SharedArrayBuffer;
  /** The start number each worker takes and the models loaded, shared by all workers (see worker-start.ts). */
  startOrder: SharedArrayBuffer;
  /** Workers (by start number) that load the model as they start; the others load on their first task. */
  workersLoadingAtStart: number;
  /** node-postgres client config: a connection string (or none, for the PG* variables) and timeouts. */
  connection: ConnectionConfig;
}

export interface BatchTask {
  seq: number;
  ids: string[];
  texts: string[];
}

/**
 * Where a worker writes: the statements, and what it needs to word a failed write. It travels with every
 * task (a few hundred bytes) because the pool starts, and loads the model, before the target is prepared.
 */
export interface WriteTarget {
  plan: WritePlan;
  context: WriteContext;
}

export interface WorkerTask extends BatchTask {
  target: WriteTarget;
}

/** Answered once the worker has loaded the model, or with why it could not. */
export interface ReadyTask {
  ready: true;
}

export type ReadyOutcome = { ready: true } | { failure: WorkerFailure };

export interface BatchResult {
  seq: number;
  /** The worker threads that ran the task (several once it is split to find a failing row). */
  workers: number[];
  written: number;
  /** Rows the model ran on; the others repeated an input already embedded (or no model ran). */
  rowsInferred: number;
  truncatedIds: string[];
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

/**
 * Texts to embed and hand back rather than write: a search query, or a library caller's texts. The
 * prompt travels with them (the query prompt, or the document one), the rest of the profile is the pool's.
 */
export interface VectorsTask {
  vectors: { texts: string[]; prompt: string };
}

/** One vector per text, in the order given. */
export type VectorsOutcome = { vectors: Float32Array[] } | { failure: WorkerFailure };

/** Everything the pool sends a worker, and everything a worker answers: the two types piscina is given. */
export type WorkerRequest = WorkerTask | ReadyTask | CloseTask | VectorsTask;
export type WorkerAnswer = BatchOutcome | ReadyOutcome | VectorsOutcome | undefined;

/** The pool's workerData as a worker receives it (piscina types it `any`), checked before use. */
export function workerConfigFrom(data: unknown): WorkerConfig {
  if (!isWorkerConfig(data)) throw new Error('a worker was started without its WorkerConfig as workerData');
  return data;
}

function isWorkerConfig(data: unknown): data is WorkerConfig {
  if (typeof data !== 'object' || data === null) return false;
  const shared = ['inputClaims', 'computeGate', 'startOrder'] as const;
  return (
    'modelDir' in data &&
    typeof data.modelDir === 'string' &&
    'onnxFile' in data &&
    typeof data.onnxFile === 'string' &&
    'profile' in data &&
    typeof data.profile === 'object' &&
    'connection' in data &&
    shared.every((key) => key in data && Reflect.get(data, key) instanceof SharedArrayBuffer)
  );
}
