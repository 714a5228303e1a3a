/**
 * The online path: transformers.js fetches a model from the model hub (or the mirror HF_ENDPOINT names, as
 * the hub's own tools honour it) into the local models folder, so that the next run, and every worker,
 * loads it from disk. transformers.js writes each file under a temporary name and renames it when whole,
 * so a download cut off halfway leaves the folder without that file: incomplete, and finished by the next
 * run. Offline this fails quickly and the caller reports the missing folder instead.
 *
 * transformers.js fetches only what it loads itself; the files that say how sentence-transformers uses
 * the model (pooling, prompts, length limit) and the ONNX file's external data are fetched here, each
 * when the repository has it.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import path from 'node:path';
import { isDtype, onnxFileOf, type Dtype } from './dtype.js';
import { firstLine, UsageError } from '../../common/errors.js';

/** sentence-transformers' description of a model, when its repository has one. */
export const SENTENCE_TRANSFORMERS_FILES = [
  'modules.json',
  '1_Pooling/config.json',
  'sentence_bert_config.json',
  'config_sentence_transformers.json',
];

export const DEFAULT_HUB = 'https://huggingface.co';

/** The hub's base URL, with the trailing slash transformers.js joins paths to. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): URL {
  const endpoint = env.HF_ENDPOINT || DEFAULT_HUB;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`HF_ENDPOINT must be an http(s) URL such as ${DEFAULT_HUB}, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`HF_ENDPOINT must be an http(s) URL such as ${DEFAULT_HUB}, got "${endpoint}"`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export const isOffline = (env: NodeJS.ProcessEnv = process.env): boolean => env.EMBED_OFFLINE === '1' || env.HF_HUB_OFFLINE === '1';

/** What went wrong and what to do, naming the host: transformers.js's own errors carry a stack and a URL. */
function downloadFailure(error: unknown, hub: URL): string {
  const message = String((error as Error)?.message ?? error);
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const located = /Could not locate file: "([^"]+)"/.exec(message);
  if (located) return `${hub.host} has no such model (404 for ${located[1]}): check the name`;
  const status = /status(?: code)?\D{0,5}(\d{3})/i.exec(message);
  if (status) return `${hub.host} answered HTTP ${status[1]}`;
  if (cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN' || cause?.code === 'ETIMEDOUT') {
    return `${hub.host} cannot be reached (${cause.code}): check the network or HF_ENDPOINT`;
  }
  if (message === 'terminated' || cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET') {
    return `the download from ${hub.host} broke off: run again to finish it`;
  }
  return `the download from ${hub.host} failed: ${firstLine(error)}`;
}

/**
 * Returns why the download failed, or undefined when it succeeded. `weights` is a dtype or an ONNX
 * file's path in the repository. The caller checks isOffline() first.
 */
export async function downloadModel(name: string, weights: Dtype | string, modelsDir: string): Promise<string | undefined> {
  const hub = hubEndpoint();
  const { AutoConfig, AutoModel, AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = true;
  env.allowLocalModels = false;
  env.remoteHost = hub.href;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
  env.cacheDir = modelsDir;
  const onnxFile = isDtype(weights) ? onnxFileOf(weights) : weights;
  try {
    // config.json first: a name the hub does not have is then a plain 404 rather than a tokenizer error.
    await AutoConfig.from_pretrained(name, { cache_dir: modelsDir });
    await AutoTokenizer.from_pretrained(name, { cache_dir: modelsDir });
    // Before the model, which loads its external data from beside it.
    for (const file of [...SENTENCE_TRANSFORMERS_FILES, `${onnxFile}_data`]) {
      await fetchIfPresent(hub, name, file, path.join(modelsDir, name));
    }
    const model = await AutoModel.from_pretrained(
      name,
      isDtype(weights)
        ? { cache_dir: modelsDir, dtype: weights, device: 'cpu' }
        : {
            cache_dir: modelsDir,
            dtype: 'fp32',
            device: 'cpu',
            subfolder: path.posix.dirname(onnxFile) === '.' ? '' : path.posix.dirname(onnxFile),
            model_file_name: path.posix.basename(onnxFile, '.onnx'),
          },
    );
    await model.dispose();
    return undefined;
  } catch (error) {
    await removeOwnTempFiles(path.join(modelsDir, name));
    return downloadFailure(error, hub);
  }
}

/**
 * transformers.js writes each file to `<file>.tmp.<pid>.<random>` and renames it once whole. When the
 * download breaks before that file's (asynchronous) open has finished, its own cleanup finds nothing to
 * remove and the empty file appears after it: this process's temporary files go once the failure is back.
 */
async function removeOwnTempFiles(folder: string): Promise<void> {
  const mark = `.tmp.${process.pid}.`;
  const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  await Promise.all(
    entries.filter((entry) => path.basename(entry).includes(mark)).map((entry) => rm(path.join(folder, entry), { force: true })),
  );
}

/** One file of the repository into the model's folder, whole or not at all; a 404 leaves nothing. */
async function fetchIfPresent(hub: URL, name: string, file: string, folder: string): Promise<void> {
  const response = await fetch(new URL(`${name}/resolve/main/${file}`, hub));
  if (response.status === 404) {
    await response.body?.cancel();
    return;
  }
  if (!response.ok) throw new Error(`status code ${response.status} for ${file}`);
  const destination = path.join(folder, ...file.split('/'));
  const partial = `${destination}.${process.pid}.part`;
  await mkdir(path.dirname(destination), { recursive: true });
  try {
    // Streamed: external data runs to gigabytes.
    await pipeline(Readable.fromWeb(response.body as ReadableStream), createWriteStream(partial));
    await rename(partial, destination);
  } finally {
    await rm(partial, { force: true });
  }
}
