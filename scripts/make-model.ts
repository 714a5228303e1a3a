/**
 * Generates BERT sentence encoders with deterministic random weights, as ONNX files in the transformers.js
 * folder layout. Tests, benchmarks and the offline demo need a model that loads and runs like the real one:
 * same graph shape, a tokenizer of the same kind, same cost per token; the weights do not matter.
 * The tiny-* variants (and long-2048-random) stand in for the shapes other popular models have: another
 * graph input or output, external data, 2,048 positions, a Unigram or byte-level BPE tokenizer
 * (model-specs.ts lists them).
 *
 * minilm-l6-random copies a real tokenizer when given one (--tokenizer-from DIR or EMBED_TOKENIZER_FROM),
 * else learns an uncased WordPiece vocabulary of BERT's size from a text file (--learn-from FILE, one text
 * per line, such as a table's text) or from generated English.
 *
 *   node dist/scripts/make-model.js <tiny-random|minilm-l6-random|tiny-...|long-2048-random> [--models-dir DIR]
 *                                   [--tokenizer-from DIR | --learn-from FILE]
 */
import { existsSync, realpathSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFolderAtomically } from './model-maker/atomic-folder.js';
import { FP32_MODEL_FILE, Q8_MODEL_FILE, writeModelFolder } from './model-maker/model-folder.js';
import { MODEL_SPECS, type ModelSpec } from './model-maker/model-specs.js';
import type { GeneratedModelName } from './model-maker/model-name.js';
import { readTokenizerNote, sameSource, type TokenizerSource } from './model-maker/tokenizer-source.js';

export type { GeneratedModelName } from './model-maker/model-name.js';

export interface MakeModelOptions {
  /** Where model folders go; default: <repo>/models. */
  modelsDir?: string;
  /** A real tokenizer to copy, for minilm-l6-random only; default: EMBED_TOKENIZER_FROM. */
  tokenizerFrom?: string;
  /** Text to learn minilm-l6-random's vocabulary from, one text per line; default: generated English. */
  learnFrom?: string;
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
  const modelsDir = resolve(options.modelsDir ?? join(repoRoot(), 'models'));
  const tokenizerFrom = options.tokenizerFrom ?? (process.env.EMBED_TOKENIZER_FROM || undefined);
  if (tokenizerFrom !== undefined && options.learnFrom !== undefined) {
    throw new Error('choose one of --tokenizer-from (copy a real tokenizer) and --learn-from (learn one from text)');
  }
  const tokenizer: TokenizerSource =
    tokenizerFrom !== undefined
      ? { kind: 'copied', from: resolve(tokenizerFrom) }
      : options.learnFrom !== undefined
        ? { kind: 'learned', textFile: resolve(options.learnFrom) }
        : { kind: 'learned' };
  return { folder: join(modelsDir, name), tokenizer, explicit: tokenizerFrom !== undefined || options.learnFrom !== undefined };
}

async function hasModelFiles(folder: string, name: GeneratedModelName): Promise<boolean> {
  const spec: ModelSpec = MODEL_SPECS[name];
  const files = [FP32_MODEL_FILE, Q8_MODEL_FILE, ...(spec.externalData ? [`${FP32_MODEL_FILE}_data`] : [])];
  try {
    await Promise.all(files.map((file) => access(join(folder, file))));
    return true;
  } catch {
    return false;
  }
}

/** Writes the model folder (overwrites), returns its absolute path. */
export async function makeModel(name: GeneratedModelName, options: MakeModelOptions = {}): Promise<string> {
  const { folder, tokenizer } = resolveOptions(name, options);
  await buildFolderAtomically(
    folder,
    (temporary) => writeModelFolder(temporary, name, tokenizer),
    async () => false,
  );
  return folder;
}

/**
 * Returns the folder, generating it only when onnx/model.onnx, onnx/model_quantized.onnx (and the external
 * data of a model that has it) or the tokenizer note is missing, or when a tokenizer source is asked for (option or EMBED_TOKENIZER_FROM) and the
 * folder's is another.
 * Safe when several processes call it at once: the first complete folder to land wins.
 */
export async function ensureModel(name: GeneratedModelName, options: MakeModelOptions = {}): Promise<string> {
  const { folder, tokenizer, explicit } = resolveOptions(name, options);
  // A folder without a tokenizer note was made before make-model wrote one: made again, it says which it has.
  const usable = async (existing: string): Promise<boolean> => {
    const note = await readTokenizerNote(existing);
    return (
      (await hasModelFiles(existing, name)) &&
      note !== undefined &&
      (!explicit || MODEL_SPECS[name].tokenizer !== 'bert-uncased' || sameSource(note.source, tokenizer))
    );
  };
  if (!(await usable(folder))) {
    await buildFolderAtomically(folder, (temporary) => writeModelFolder(temporary, name, tokenizer), usable);
  }
  return folder;
}

/** Exit codes: 0 done, 1 generation failed (e.g. missing tokenizer files), 2 bad command line. */
async function main(args: string[]): Promise<number> {
  const usage = `usage: make-model <${Object.keys(MODEL_SPECS).join('|')}> [--models-dir DIR] [--tokenizer-from DIR | --learn-from FILE]`;
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs call below, which needs its options inline
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { 'models-dir': { type: 'string' }, 'tokenizer-from': { type: 'string' }, 'learn-from': { type: 'string' } },
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
      learnFrom: parsed.values['learn-from'],
    });
    console.log(folder);
    const note = await readTokenizerNote(folder);
    if (note !== undefined) console.error(`tokenizer: ${note.description}`);
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
