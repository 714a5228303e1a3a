/**
 * The start every embedding command shares: find the model's files, start the worker pool (whose
 * threads begin loading the model at once), hash the ONNX file meanwhile, and close the pool however
 * the command ends.
 */
import type { EmbedConfig } from '../config/config.js';
import { locateModel, withFileHash, type ModelInfo } from '../model/model-folder.js';
import { modelsDir } from '../paths.js';
import { workerConfig } from '../pass/worker-config.js';
import { createWorkerPool, type WorkerPool } from '../pass/worker-pool.js';

export interface ModelPool {
  pool: WorkerPool;
  model: ModelInfo;
  /** Settles once a worker has loaded the model (rejects when it cannot). */
  modelLoads: Promise<void>;
}

export async function withModelPool<T>(config: EmbedConfig, use: (parts: ModelPool) => Promise<T>): Promise<T> {
  const files = await locateModel(config.model, config.dtype, { modelsDir: modelsDir(), allowDownload: true });
  const pool = createWorkerPool(workerConfig(config, files), config.workers);
  const modelLoads = pool.ready();
  // Awaited later; a load failure must not be reported as unhandled meanwhile.
  modelLoads.catch(() => undefined);
  try {
    const model = await withFileHash(files);
    return await use({ pool, model, modelLoads });
  } finally {
    await pool.close();
  }
}
