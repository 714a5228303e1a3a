/**
 * Generates BERT sentence encoders with deterministic random weights, as ONNX files in the transformers.js
 * folder layout. No model hub is reachable here, and tests and benchmarks need a model that loads and runs
 * like the real one: same graph shape, same tokenizer, same cost per token; the weights do not matter.
 *
 *   node dist/scripts/make-model.js <tiny-random|minilm-l6-random> [--models-dir DIR] [--tokenizer-from DIR]
 */
import { existsSync, realpathSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFolderAtomically } from './model-maker/atomic-folder.js';
import { FP32_MODEL_FILE, Q8_MODEL_FILE, writeModelFolder } from './model-maker/model-folder.js';
import { MODEL_SPECS } from './model-maker/model-specs.js';
import type { GeneratedModelName } from './model-maker/model-name.js';

export type { GeneratedModelName } from './model-maker/model-name.js';

export interface MakeModelOptions {
  /** Where model folders go; default: <repo>/models. */
  modelsDir?: string;
  /** The real tokenizer to copy, for minilm-l6-random only; default: <repo>/../shared/models/all-MiniLM-L6-v2. */
  tokenizerFrom?: string;
}

function isGeneratedModelName(name: unknown): name is GeneratedModelName {
  return typeof name === 'string' && Object.hasOwn(MODEL_SPECS, name);
}

/** The folder holding package.json: this file runs both as scripts/ (source) and as dist/scripts/ (compiled). */
function repoRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or any folder above it`);
  }
}

function resolveOptions(name: GeneratedModelName, options: MakeModelOptions) {
  if (!isGeneratedModelName(name)) {
    throw new Error(`unknown model name '${String(name)}' (expected ${Object.keys(MODEL_SPECS).join(' or ')})`);
  }
  const root = repoRoot();
  const modelsDir = resolve(options.modelsDir ?? join(root, 'models'));
  return {
    folder: join(modelsDir, name),
    tokenizerFrom: resolve(options.tokenizerFrom ?? join(root, '..', 'shared', 'models', 'all-MiniLM-L6-v2')),
  };
}

async function hasBothModelFiles(folder: string): Promise<boolean> {
  try {
    await Promise.all([access(join(folder, FP32_MODEL_FILE)), access(join(folder, Q8_MODEL_FILE))]);
    return true;
  } catch {
    return false;
  }
}

/** Writes the model folder (overwrites), returns its absolute path. */
export async function makeModel(name: GeneratedModelName, options: MakeModelOptions = {}): Promise<string> {
  const { folder, tokenizerFrom } = resolveOptions(name, options);
  await buildFolderAtomically(folder, (temporary) => writeModelFolder(temporary, name, tokenizerFrom), async () => false);
  return folder;
}

/**
 * Returns the folder, generating it only when onnx/model.onnx or onnx/model_quantized.onnx is missing.
 * Safe when several processes call it at once: the first complete folder to land wins.
 */
export async function ensureModel(name: GeneratedModelName, options: MakeModelOptions = {}): Promise<string> {
  const { folder, tokenizerFrom } = resolveOptions(name, options);
  if (!(await hasBothModelFiles(folder))) {
    await buildFolderAtomically(folder, (temporary) => writeModelFolder(temporary, name, tokenizerFrom), hasBothModelFiles);
  }
  return folder;
}

/** Exit codes: 0 done, 1 generation failed (e.g. missing tokenizer files), 2 bad command line. */
async function main(args: string[]): Promise<number> {
  const usage = `usage: make-model <${Object.keys(MODEL_SPECS).join('|')}> [--models-dir DIR] [--tokenizer-from DIR]`;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { 'models-dir': { type: 'string' }, 'tokenizer-from': { type: 'string' } },
    });
  } catch (error) {
    console.error(`make-model: ${(error as Error).message}; ${usage}`);
    return 2;
  }
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || extra.length > 0) {
    console.error(`make-model: expected exactly one model name; ${usage}`);
    return 2;
  }
  if (!isGeneratedModelName(name)) {
    console.error(`make-model: unknown model name '${name}'; ${usage}`);
    return 2;
  }
  try {
    const folder = await makeModel(name, {
      modelsDir: parsed.values['models-dir'],
      tokenizerFrom: parsed.values['tokenizer-from'],
    });
    console.log(folder);
    return 0;
  } catch (error) {
    console.error(`make-model: ${(error as Error).message}`);
    return 1;
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && realpathSync(invokedPath) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
