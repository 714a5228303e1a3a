/**
 * A model opened to embed texts on demand rather than rows of a table: a search query, or a library
 * caller's documents. The vectors come from a worker thread running the same encoder as a run's workers
 * (workers/encoder.ts) with the same profile, so a document's vector equals what a run stores for it; the
 * main thread never loads the model itself (src/ and workers/ stay apart, see ARCHITECTURE.md).
 */
import os from 'node:os';
import type { WorkerConfig } from '../../common/batch-task.js';
import { createComputeGate } from '../../common/compute-gate.js';
import { createClaimBuffer } from '../../common/input-claims.js';
import { createStartCounters } from '../../common/worker-start.js';
import { UsageError } from '../../common/errors.js';
import { defaults } from '../config/defaults.js';
import { connectionConfig } from '../db/database.js';
import { DTYPES, type Dtype } from '../model/dtype.js';
import { locateModel, withFileHash, withProfile, type ModelFiles, type ModelInfo } from '../model/model-folder.js';
import { outputProfile, resolveProfile, type ModelProfile, type ProfileFlags } from '../model/model-profile.js';
import { modelsDir } from '../paths.js';
import { createWorkerPool } from '../pass/worker-pool.js';

export interface EmbedderOptions extends Partial<ProfileFlags> {
  /** A model name (under the models folder, downloaded if missing) or a model folder; default as for a run. */
  model?: string;
  dtype?: Dtype;
  /** Threads of the ONNX session (default: the cores). */
  threads?: number;
}

export interface Embedder {
  /** The model as a run labels it: name, file hash, dimension and profile. */
  model: ModelInfo;
  /** The query's vector: the profile's query prompt, then the text. */
  embedQuery(text: string): Promise<Float32Array>;
  /** The documents' vectors, equal to what a run with this profile writes for these texts. */
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
  /** Frees the model's thread; the embedder is not used after this. */
  close(): Promise<void>;
}

export async function openEmbedder(options: EmbedderOptions = {}): Promise<Embedder> {
  const dtype = options.dtype ?? defaults.dtype;
  if (!DTYPES.includes(dtype))
    throw new UsageError(`dtype ${JSON.stringify(dtype)} is not one embed knows; use one of ${DTYPES.join(', ')}`);
  const files = await locateModel(options.model ?? defaults.model, dtype, { modelsDir: modelsDir(), allowDownload: true });
  const profile = resolveProfile(files, { ...options, rawVectors: options.rawVectors ?? false });
  return openWithProfile(files, profile, options.threads);
}

/**
 * An embedder for a model whose profile is known already (a job's recorded one). `hashes`: the files'
 * hashes when the caller has read them already (a search compares them with the job's first), else they
 * are read while the worker loads the model.
 */
export async function openWithProfile(
  files: ModelFiles,
  profile: ModelProfile,
  threads = os.availableParallelism(),
  hashes?: Pick<ModelInfo, 'fileHash' | 'tokenizerHash'>,
): Promise<Embedder> {
  const pool = createWorkerPool(vectorsWorkerConfig(files, profile, threads), 1);
  const profiled = withProfile(files, profile);
  let model: ModelInfo;
  try {
    [model] = await Promise.all([hashes === undefined ? withFileHash(profiled) : { ...profiled, ...hashes }, pool.ready()]);
  } catch (error) {
    await pool.close();
    throw error;
  }
  return {
    model,
    async embedQuery(text) {
      return (await pool.vectors([text], profile.queryPrompt))[0]!;
    },
    embedDocuments: (texts) => pool.vectors(texts, profile.prompt),
    close: () => pool.close(),
  };
}

/** One worker that only ever embeds and answers: it never connects to a database nor shares inputs. */
function vectorsWorkerConfig(files: ModelFiles, profile: ModelProfile, threads: number): WorkerConfig {
  return {
    modelDir: files.dir,
    onnxFile: files.onnxFile,
    maxSequenceLength: files.maxSequenceLength,
    threads,
    device: 'cpu',
    maxBatchTokens: defaults.maxBatchTokens,
    profile: outputProfile(profile),
    runModel: true,
    inputClaims: createClaimBuffer(),
    computeGate: createComputeGate(1),
    startOrder: createStartCounters(),
    workersLoadingAtStart: 1,
    connection: connectionConfig(undefined),
  };
}
