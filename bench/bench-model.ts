/**
 * The model a benchmark runs: a generated test model (tiny-random, minilm-l6-random) is generated on
 * first use; any other name or path must already be there, as the CLI would find it.
 */
import { ensureModel, type GeneratedModelName } from '../scripts/make-model.js';
import { resolveModel, type Dtype, type ModelInfo } from '../src/model/model-folder.js';
import { modelsDir } from '../src/paths.js';

const generated: readonly string[] = ['tiny-random', 'minilm-l6-random'] satisfies GeneratedModelName[];

export async function benchModel(name: string, dtype: Dtype): Promise<ModelInfo> {
  if (generated.includes(name)) await ensureModel(name as GeneratedModelName, { modelsDir: modelsDir() });
  return resolveModel(name, dtype, { modelsDir: modelsDir(), allowDownload: false });
}
