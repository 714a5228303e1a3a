/**
 * The online path: transformers.js fetches a model from the model hub (or the mirror HF_ENDPOINT names, as
 * the hub's own tools honour it) into the local models folder, so that the next run, and every worker,
 * loads it from disk. transformers.js writes each file under a temporary name and renames it when whole,
 * so a download cut off halfway leaves the folder without that file: incomplete, and finished by the next
 * run. Offline this fails quickly and the caller reports the missing folder instead.
 */
import type { Dtype } from './dtype.js';
import { firstLine, UsageError } from '../../common/errors.js';

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

export const isOffline = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.EMBED_OFFLINE === '1' || env.HF_HUB_OFFLINE === '1';

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

/** Returns why the download failed, or undefined when it succeeded. The caller checks isOffline() first. */
export async function downloadModel(name: string, dtype: Dtype, modelsDir: string): Promise<string | undefined> {
  const hub = hubEndpoint();
  const { AutoConfig, AutoModel, AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = true;
  env.allowLocalModels = false;
  env.remoteHost = hub.href;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
  env.cacheDir = modelsDir;
  try {
    // config.json first: a name the hub does not have is then a plain 404 rather than a tokenizer error.
    await AutoConfig.from_pretrained(name, { cache_dir: modelsDir });
    await AutoTokenizer.from_pretrained(name, { cache_dir: modelsDir });
    const model = await AutoModel.from_pretrained(name, { cache_dir: modelsDir, dtype, device: 'cpu' });
    await model.dispose();
    return undefined;
  } catch (error) {
    return downloadFailure(error, hub);
  }
}
