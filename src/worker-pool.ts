/**
 * The piscina pool of embed workers: a fixed number of threads started at once, each loading the model
 * and opening its own connection before it takes a batch.
 */
import { Piscina } from 'piscina';
import type { BatchResult, BatchTask, WorkerConfig } from './batch-task.js';
import { DeviceError, EmbedError, ModelError } from './errors.js';
import { workerFile } from './paths.js';

export interface WorkerPool {
  run(task: BatchTask): Promise<BatchResult>;
  close(): Promise<void>;
}

export function createWorkerPool(config: WorkerConfig, workers: number): WorkerPool {
  const pool = new Piscina<BatchTask, BatchResult>({
    filename: workerFile,
    workerData: config,
    minThreads: workers,
    maxThreads: workers,
    // The dispatcher bounds the batches in flight itself; a queue here would only hide them.
    maxQueue: workers * 4,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  return {
    run: (task) => pool.run(task).catch((error: unknown) => Promise.reject(revive(error))),
    close: () => pool.destroy(),
  };
}

/**
 * Errors cross the thread boundary as plain Errors carrying name and message; give the ones the entry
 * point knows how to report their class back.
 */
function revive(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof EmbedError) return error;
  if (error.name === 'ModelError') return new ModelError(error.message, { cause: error });
  if (error.name === 'DeviceError') return new DeviceError(error.message, { cause: error });
  return error;
}
