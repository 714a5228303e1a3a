/**
 * Finds a model folder (transformers.js layout) for a name or path and reads what the job needs to know
 * about it without loading it: the ONNX file for the dtype (or the one --onnx-file names), the vector
 * dimension, the maximum sequence length, and hashes of the weights (external data included) and of the
 * tokenizer that identify the model in the state file and the target.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChunkWindow } from '../../common/chunk-window.js';
import { ModelError } from '../../common/errors.js';
import { onnxFileOf, type Dtype } from './dtype.js';
import { externalDataFiles } from './external-data.js';
import { downloadModel, isOffline } from './model-download.js';
import { resolveProfile, type ModelProfile, type ProfileFlags } from './model-profile.js';

export type { Dtype } from './dtype.js';

export interface ModelInfo {
  /**
   * A hub-style name as given (`Xenova/all-MiniLM-L6-v2`), or a folder's own name when given a path, so
   * that `./models/x` and `/abs/models/x` are one model; the file hash tells apart two folders of one name.
   */
  name: string;
  dir: string;
  onnxFile: string;
  dtype: Dtype;
  /** Which weights run, for people: the dtype, or the ONNX file's path in the folder when one was named. */
  weights: string;
  /** The stored vector's dimension: the profile's (see model-profile.ts). */
  dimension: number;
  maxSequenceLength: number;
  /** How the model is used: pooling, normalisation, prompts, dimensions. */
  profile: ModelProfile;
  /** sha256 of the ONNX file and of its external data files when it has any, hex. */
  fileHash: string;
  /**
   * sha256 of the tokenizer's files (tokenizer.json, tokenizer_config.json), hex: the same weights given
   * other word pieces make other vectors.
   */
  tokenizerHash: string;
  /**
   * The job's `--chunk` window, when it embeds chunks: not the model's, but part of what names the
   * vectors (the label a target records, see target-table.ts modelLabel) like the profile is.
   */
  chunk?: ChunkWindow;
}

const requiredFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

export interface ResolveModelOptions {
  modelsDir: string;
  /** Try the model hub (through transformers.js) when the folder is missing. */
  allowDownload: boolean;
  /** An ONNX file by its path in the folder ('/'-separated), instead of the dtype's file. */
  onnxFile?: string;
}

/**
 * A model's folder and what its files say, but for the hashes (reading the ONNX file takes a moment) and
 * the profile (which flags decide too); `dimension` is the model's own.
 */
export type ModelFiles = Omit<ModelInfo, 'fileHash' | 'tokenizerHash' | 'profile'>;

export async function resolveModel(
  name: string,
  dtype: Dtype,
  options: ResolveModelOptions,
  flags: ProfileFlags = { rawVectors: false },
): Promise<ModelInfo> {
  const files = await locateModel(name, dtype, options);
  return withFileHash(withProfile(files, resolveProfile(files, flags)));
}

/** The files with the profile resolved for them: the stored dimension is the profile's. */
export function withProfile(files: ModelFiles, profile: ModelProfile): Omit<ModelInfo, 'fileHash' | 'tokenizerHash'> {
  return { ...files, dimension: profile.dimensions, profile };
}

export async function withFileHash<T extends ModelFiles>(files: T): Promise<T & Pick<ModelInfo, 'fileHash' | 'tokenizerHash'>> {
  return { ...files, fileHash: await weightsHash(files.onnxFile), tokenizerHash: tokenizerHash(files.dir) };
}

/** Each file's length before its bytes, so that no two sets of contents hash alike. */
function tokenizerHash(dir: string): string {
  const hash = createHash('sha256');
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const bytes = readFileSync(path.join(dir, name));
    hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

export async function locateModel(name: string, dtype: Dtype, options: ResolveModelOptions): Promise<ModelFiles> {
  const dir = locate(name, options.modelsDir);
  const onnxRelative = options.onnxFile ?? onnxFileOf(dtype);
  const expected = [...requiredFiles, onnxRelative];
  const isPath = looksLikePath(name);
  const offline = isOffline();
  let downloadFailure: string | undefined;
  if (missingFiles(dir, expected).length > 0 && options.allowDownload && !isPath && !offline) {
    downloadFailure = await downloadModel(name, options.onnxFile ?? dtype, options.modelsDir);
  }
  const missing = missingFiles(dir, expected);
  if (missing.length > 0) {
    const layout = `a model folder holds ${expected.join(', ')}`;
    if (isPath) {
      // The path as the user typed it, and where that is when it was relative.
      const where = path.resolve(name) === name ? '' : ` (${path.resolve(name)})`;
      if (!existsSync(dir)) {
        throw new ModelError(
          `model ${name}: no such folder${where}; --model takes a model folder or a model name under ${options.modelsDir}`,
        );
      }
      throw new ModelError(`model ${name}: ${dir} lacks ${missing.join(', ')}; ${layout}`);
    }
    const local = 'generate a local one with "npm run make-model -- minilm-l6-random" and pass --model minilm-l6-random';
    if (downloadFailure !== undefined) {
      throw new ModelError(`model ${name} is not in ${dir} and could not be downloaded: ${downloadFailure}; or ${local}`);
    }
    const why = offline && options.allowDownload ? ' (EMBED_OFFLINE=1 is set, so no download was tried)' : '';
    throw new ModelError(`model ${name}: ${dir} lacks ${missing.join(', ')}${why}; pass --model with a model folder, or ${local}`);
  }
  const config = readJson(dir, 'config.json');
  const dimension = Number(config.hidden_size ?? config.d_model ?? config.dim);
  if (!Number.isInteger(dimension) || dimension <= 0) {
    throw new ModelError(`model ${name}: config.json has no hidden_size, so the vector dimension is unknown`);
  }
  const onnxFile = path.join(dir, onnxRelative);
  return {
    name: modelName(name),
    dir,
    onnxFile,
    dtype,
    weights: options.onnxFile ?? dtype,
    dimension,
    maxSequenceLength: maxSequenceLength(dir, config),
  };
}

/** The name a model is known by in job identities and target labels (see ModelInfo.name). */
export function modelName(nameOrPath: string): string {
  return looksLikePath(nameOrPath) ? path.basename(path.resolve(nameOrPath)) : nameOrPath;
}

function locate(name: string, modelsDir: string): string {
  return looksLikePath(name) ? path.resolve(name) : path.join(modelsDir, name);
}

function looksLikePath(name: string): boolean {
  return path.isAbsolute(name) || name.startsWith('.') || existsSync(name);
}

function missingFiles(dir: string, files: string[]): string[] {
  return files.filter((file) => !existsSync(path.join(dir, file)));
}

/**
 * sentence-transformers' own limit when the folder has it (256 for the MiniLM family), else what the
 * tokenizer and the position table allow.
 */
function maxSequenceLength(dir: string, config: Record<string, unknown>): number {
  if (existsSync(path.join(dir, 'sentence_bert_config.json'))) {
    const limit = Number(readJson(dir, 'sentence_bert_config.json').max_seq_length);
    if (Number.isInteger(limit) && limit > 0) return limit;
  }
  const limits = [Number(readJson(dir, 'tokenizer_config.json').model_max_length), Number(config.max_position_embeddings)].filter(
    (n) => Number.isInteger(n) && n > 0 && n < 1_000_000,
  );
  return limits.length > 0 ? Math.min(...limits) : 512;
}

function readJson(dir: string, file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new ModelError(`cannot read ${path.join(dir, file)}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The ONNX file's bytes, then each external data file's name and bytes: new weights in model.onnx_data
 * are another model even when model.onnx is unchanged. A file without external data hashes as itself.
 */
async function weightsHash(onnxFile: string): Promise<string> {
  const hash = createHash('sha256');
  const hashBytesOf = async (file: string) => {
    for await (const chunk of createReadStream(file, { highWaterMark: hashReadBytes })) hash.update(chunk as Buffer);
  };
  await hashBytesOf(onnxFile);
  for (const dataFile of externalDataFiles(onnxFile)) {
    hash.update(`\0${path.basename(dataFile)}\0`);
    await hashBytesOf(dataFile);
  }
  return hash.digest('hex');
}

/**
 * Bytes per read while hashing. The hash runs on the main thread while the workers load the model, and
 * each read is a round trip through libuv's thread pool and the event loop, waiting for a core the loading
 * workers hold: with the stream's default of 64 KB, a model of tens of MB is hundreds of them, and the job
 * opens only once the hash is known.
 */
const hashReadBytes = 1024 * 1024;
