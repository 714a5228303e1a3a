// Imports the compiled module: the worker-thread code that loads these models runs compiled JS, and the
// test command builds first.
// Longer than 250 lines because every generated model shares these checks of its files.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { ensureModel, makeModel } from '../../dist/scripts/make-model.js';
import { decodeModel } from '../../dist/scripts/model-maker/onnx-proto.js';
import { fileHashes, useTemporaryDirs } from '../helpers/model-files.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const makeModelCli = join(repoRoot, 'dist', 'scripts', 'make-model.js');

const TINY_FILES = [
  'config.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer_source.json',
  'vocab.txt',
];

const BERT_TOKENIZER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

const freshDir = useTemporaryDirs('make-model-test-');

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** Two sequences, the second one padded: the shapes a real batch has. */
const BATCH_IDS = [2, 40, 41, 42, 43, 3, 2, 44, 45, 3, 0, 0];
const BATCH_MASK = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];

async function run(modelFile: string): Promise<ort.Tensor> {
  const tensor = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [2, 6]);
  const session = await ort.InferenceSession.create(modelFile, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  try {
    const feeds = {
      input_ids: tensor(BATCH_IDS),
      attention_mask: tensor(BATCH_MASK),
      token_type_ids: tensor(BATCH_IDS.map(() => 0)),
    };
    return (await session.run(feeds)).last_hidden_state!;
  } finally {
    await session.release();
  }
}

describe('make-model tiny-random', () => {
  it('writes the transformers.js layout, byte-identical every time', async () => {
    const first = await fileHashes(await makeModel('tiny-random', { modelsDir: await freshDir() }));
    const second = await fileHashes(await makeModel('tiny-random', { modelsDir: await freshDir() }));
    expect(Object.keys(first).sort()).toEqual(TINY_FILES);
    expect(second).toEqual(first);
  }, 30_000);

  it('is an opset-17 BERT graph with the expected inputs and output', async () => {
    const folder = await makeModel('tiny-random', { modelsDir: await freshDir() });
    for (const file of ['model.onnx', 'model_quantized.onnx']) {
      const model = decodeModel(await readFile(join(folder, 'onnx', file)));
      expect(model.ir_version).toBe(8);
      expect(model.opset_import.map((o) => [o.domain ?? '', o.version])).toEqual([['', 17]]);
      expect(model.graph.input.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
      expect(model.graph.output.map((o) => o.name)).toEqual(['last_hidden_state']);
    }
    const quantized = decodeModel(await readFile(join(folder, 'onnx', 'model_quantized.onnx')));
    // 2 layers × (Q, K, V, attention output, intermediate, output).
    expect(quantized.graph.node.filter((n) => n.op_type === 'MatMulInteger')).toHaveLength(12);
  }, 30_000);

  it('runs in onnxruntime, fp32 and q8, with finite and matching outputs', async () => {
    const folder = await makeModel('tiny-random', { modelsDir: await freshDir() });
    const fp32 = await run(join(folder, 'onnx', 'model.onnx'));
    const q8 = await run(join(folder, 'onnx', 'model_quantized.onnx'));
    const hidden = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')).hidden_size as number;
    for (const output of [fp32, q8]) {
      expect(output.dims).toEqual([2, 6, hidden]);
      expect((output.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
    const a = fp32.data as Float32Array;
    const b = q8.data as Float32Array;
    const cosines = BATCH_MASK.flatMap((m, token) => {
      if (m === 0) return [];
      let dot = 0,
        na = 0,
        nb = 0;
      for (let i = token * hidden; i < (token + 1) * hidden; i++) {
        dot += a[i]! * b[i]!;
        na += a[i]! * a[i]!;
        nb += b[i]! * b[i]!;
      }
      return [dot / Math.sqrt(na * nb)];
    });
    expect(cosines.reduce((sum, c) => sum + c, 0) / cosines.length).toBeGreaterThan(0.95);
  }, 30_000);

  it('ensureModel keeps a complete folder, regenerates an incomplete one, and survives concurrent calls', async () => {
    const modelsDir = await freshDir();
    const folders = await Promise.all(Array.from({ length: 4 }, () => ensureModel('tiny-random', { modelsDir })));
    expect(new Set(folders)).toEqual(new Set([join(modelsDir, 'tiny-random')]));
    const [folder] = folders as [string];
    expect(await readdir(modelsDir)).toEqual(['tiny-random']);

    const fp32File = join(folder, 'onnx', 'model.onnx');
    const before = await stat(fp32File);
    await ensureModel('tiny-random', { modelsDir });
    expect((await stat(fp32File)).mtimeMs).toBe(before.mtimeMs);

    const hashes = await fileHashes(folder);
    await unlink(join(folder, 'onnx', 'model_quantized.onnx'));
    await ensureModel('tiny-random', { modelsDir });
    expect(await fileHashes(folder)).toEqual(hashes);
  }, 30_000);
});

/** transformers.js's own tokenizer for a model folder, as the encoder loads it. */
async function tokenizerOf(folder: string) {
  env.allowRemoteModels = false;
  env.localModelPath = `${join(folder, '..')}/`;
  return AutoTokenizer.from_pretrained(folder.split('/').pop()!);
}

const ENGLISH = [
  'The children were playing in the garden when their mother called them in for dinner.',
  'I have never seen such a beautiful sunset over the mountains before.',
  'The government announced new measures to support small businesses during the winter.',
  'Could you please tell me where the nearest train station is?',
  'She opened the letter slowly, afraid of what it might say about her brother.',
  'Scientists believe the discovery will change our understanding of the early universe.',
  'He walked along the river every morning, thinking about the years he had lost.',
  'We should finish the report before the meeting on Tuesday afternoon.',
];

describe('make-model minilm-l6-random', () => {
  it("is byte-identical every time, with a learned uncased WordPiece vocabulary of BERT's shape", async () => {
    const first = await makeModel('minilm-l6-random', { modelsDir: await freshDir() });
    const second = await makeModel('minilm-l6-random', { modelsDir: await freshDir() });
    expect(await fileHashes(second)).toEqual(await fileHashes(first));
    const vocabulary = (await readFile(join(first, 'vocab.txt'), 'utf8')).split('\n').slice(0, -1);
    expect(vocabulary).toHaveLength(30522);
    expect(new Set(vocabulary).size).toBe(30522);
    expect([0, 100, 101, 102, 103].map((id) => vocabulary[id])).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(JSON.parse(await readFile(join(first, 'config.json'), 'utf8'))).toMatchObject({ vocab_size: 30522, hidden_size: 384 });
    expect(JSON.parse(await readFile(join(first, 'sentence_bert_config.json'), 'utf8'))).toEqual({
      max_seq_length: 256,
      do_lower_case: false,
    });
    expect(JSON.parse(await readFile(join(first, 'tokenizer_source.json'), 'utf8')).description).toMatch(
      /^generated uncased WordPiece, 30,522 pieces \(.* learned from generated English text\)$/,
    );

    const tokenizer = await tokenizerOf(first);
    expect(tokenizer.encode('Hello World')).toEqual(tokenizer.encode('hello world'));
    expect(tokenizer.encode('Café')).toEqual(tokenizer.encode('cafe'));
    const ids = ENGLISH.map((text) => tokenizer.encode(text));
    for (const sentence of ids) {
      expect(sentence[0]).toBe(101);
      expect(sentence.at(-1)).toBe(102);
      expect(sentence).not.toContain(100);
    }
    // English splits into about as many pieces as it has words and punctuation: a real BERT vocabulary
    // gives 1.0 to 1.2 pieces per word on such sentences, a vocabulary of letters would give about 5.
    const words = ENGLISH.map((text) => text.match(/\w+|[^\w\s]/g)!.length);
    const piecesPerWord = ids.reduce((sum, s) => sum + s.length - 2, 0) / words.reduce((a, b) => a + b, 0);
    expect(piecesPerWord).toBeGreaterThanOrEqual(1);
    expect(piecesPerWord).toBeLessThan(1.35);
  }, 120_000);

  it('learns from a text file when given one: its own words become whole pieces', async () => {
    const text = join(await freshDir(), 'texts.txt');
    await writeFile(text, Array.from({ length: 200 }, (_, i) => `Zorblax met the quintessential florp number ${i}.`).join('\n'));
    const folder = await makeModel('minilm-l6-random', { modelsDir: await freshDir(), learnFrom: text });
    const tokenizer = await tokenizerOf(folder);
    expect(tokenizer.tokenize('zorblax quintessential florp')).toEqual(['zorblax', 'quintessential', 'florp']);
    expect(JSON.parse(await readFile(join(folder, 'tokenizer_source.json'), 'utf8')).description).toContain(text);
  }, 120_000);

  it('copies a real tokenizer from --tokenizer-from or EMBED_TOKENIZER_FROM, and ensureModel honours the choice', async () => {
    // A stand-in for a real tokenizer folder: any complete one that differs from the default.
    const textFile = join(await freshDir(), 'english.txt');
    await writeFile(textFile, ENGLISH.join('\n'));
    const real = await makeModel('minilm-l6-random', { modelsDir: await freshDir(), learnFrom: textFile });

    const modelsDir = await freshDir();
    const folder = await ensureModel('minilm-l6-random', { modelsDir });
    expect(await sha256(join(folder, 'vocab.txt'))).not.toBe(await sha256(join(real, 'vocab.txt')));
    await ensureModel('minilm-l6-random', { modelsDir, tokenizerFrom: real });
    for (const file of BERT_TOKENIZER_FILES) expect(await sha256(join(folder, file)), file).toBe(await sha256(join(real, file)));
    expect(JSON.parse(await readFile(join(folder, 'tokenizer_source.json'), 'utf8')).description).toBe(`copied from ${real}`);
    // Asked for no tokenizer in particular, it keeps the one there.
    await ensureModel('minilm-l6-random', { modelsDir });
    expect(await sha256(join(folder, 'vocab.txt'))).toBe(await sha256(join(real, 'vocab.txt')));

    const viaEnvironment = await freshDir();
    const result = cliWith({ EMBED_TOKENIZER_FROM: real }, 'minilm-l6-random', '--models-dir', viaEnvironment);
    expect(result.stderr).toBe(`tokenizer: copied from ${real}\n`);
    expect(result.status).toBe(0);
    const copied = join(viaEnvironment, 'minilm-l6-random');
    for (const file of BERT_TOKENIZER_FILES) expect(await sha256(join(copied, file)), file).toBe(await sha256(join(real, file)));
  }, 180_000);
});

const cliWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  spawnSync(process.execPath, [makeModelCli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const cli = (...args: string[]) => cliWith({}, ...args);

describe('make-model command line', () => {
  it('prints the folder it wrote', async () => {
    const modelsDir = await freshDir();
    const result = cli('tiny-random', '--models-dir', modelsDir);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${join(modelsDir, 'tiny-random')}\n`);
  }, 30_000);

  it('exits 2 with one line for an unknown model name', () => {
    const result = cli('no-such-model');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no-such-model');
  });

  it('exits 1 with one line naming the folder and the expected files when the tokenizer is missing', async () => {
    const missing = join(await freshDir(), 'no-tokenizer-here');
    const result = cli('minilm-l6-random', '--models-dir', await freshDir(), '--tokenizer-from', missing);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain('tokenizer.json');
  });
});
