/**
 * The start every embedding command shares: find the model's files and resolve its profile, start the worker pool (whose
 * threads begin loading the model at once), hash the ONNX file meanwhile, and close the pool however
 * the command ends.
 */
import { checkChunkWindow } from '../../common/chunk-window.js';
import type { EmbedConfig } from '../config/config.js';
import { locateModel, withFileHash, withProfile, type ModelInfo } from '../model/model-folder.js';
import { resolveProfile } from '../model/model-profile.js';
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
  const files = await locateModel(config.model, config.dtype, {
    modelsDir: modelsDir(),
    allowDownload: true,
    onnxFile: config.onnxFile,
  });
  const profile = resolveProfile(files, config.profile);
  if (config.chunk !== undefined) checkChunkWindow(config.chunk, files.maxSequenceLength);
  const pool = createWorkerPool(workerConfig(config, files, profile), config.workers);
  const modelLoads = pool.ready();
  // Awaited later; a load failure must not be reported as unhandled meanwhile.
  modelLoads.catch(() => undefined);
  try {
    const model: ModelInfo = { ...(await withFileHash(withProfile(files, profile))), ...(config.chunk && { chunk: config.chunk }) };
    return await use({ pool, model, modelLoads });
  } finally {
    await pool.close();
  }
}
