/**
 * The model a benchmark runs: a generated test model (tiny-random, minilm-l6-random, long-2048-random) is generated on
 * first use; any other name or path must already be there, as the CLI would find it. minilm-l6-random gets
 * all-MiniLM-L6-v2's real tokenizer when one is at hand (EMBED_TOKENIZER_FROM, else ../shared), so that
 * token counts, and so the compute per row, are the real model's.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureModel, type GeneratedModelName } from '../scripts/make-model.js';
import { resolveModel, type Dtype, type ModelInfo } from '../src/model/model-folder.js';
import { modelsDir, packageRoot } from '../src/paths.js';

const generated: readonly string[] = ['tiny-random', 'minilm-l6-random', 'long-2048-random'] satisfies GeneratedModelName[];
const sharedTokenizer = path.resolve(packageRoot, '..', 'shared', 'models', 'all-MiniLM-L6-v2');

export async function benchModel(name: string, dtype: Dtype): Promise<ModelInfo> {
  const tokenizerFrom =
    name === 'minilm-l6-random' && !process.env.EMBED_TOKENIZER_FROM && existsSync(sharedTokenizer) ? sharedTokenizer : undefined;
  if (generated.includes(name)) await ensureModel(name as GeneratedModelName, { modelsDir: modelsDir(), tokenizerFrom });
  return resolveModel(name, dtype, { modelsDir: modelsDir(), allowDownload: false });
}
