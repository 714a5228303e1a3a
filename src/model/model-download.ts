/**
 * The online path: transformers.js fetches a model from the model hub into the local models folder, so
 * that the next run (and every worker) loads it from disk. Offline this fails quickly and the caller
 * reports the missing folder instead.
 */
import { firstLine } from '../../common/errors.js';
import type { Dtype } from './dtype.js';

/** Returns why the download failed, or undefined when it succeeded. */
export async function downloadModel(name: string, dtype: Dtype, modelsDir: string): Promise<string | undefined> {
  if (process.env.EMBED_OFFLINE === '1' || process.env.HF_HUB_OFFLINE === '1') return 'offline mode is set';
  const { AutoModel, AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = true;
  env.cacheDir = modelsDir;
  try {
    await AutoTokenizer.from_pretrained(name, { cache_dir: modelsDir });
    const model = await AutoModel.from_pretrained(name, { cache_dir: modelsDir, dtype, device: 'cpu' });
    await model.dispose();
    return undefined;
  } catch (error) {
    return `download from the model hub failed: ${firstLine(error)}`;
  }
}
