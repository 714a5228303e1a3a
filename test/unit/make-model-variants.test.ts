// The generated variants of other models' shapes (docs/model-files.md): deterministic files with the
// inputs and outputs each stands in for. Imports the compiled modules, as make-model.test.ts does.
import { describe, it, expect } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { makeModel } from '../../dist/scripts/make-model.js';
import { decodeModel } from '../../dist/scripts/model-maker/onnx-proto.js';
import { fileHashes, useTemporaryDirs } from '../helpers/model-files.js';

const freshDir = useTemporaryDirs('make-model-variants-');

/** last_hidden_state of two short sequences (ids of tiny-random's vocabulary), the second padded. */
async function run(modelFile: string): Promise<ort.Tensor> {
  const tensor = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [2, 6]);
  const ids = [2, 40, 41, 42, 43, 3, 2, 44, 45, 3, 0, 0];
  const session = await ort.InferenceSession.create(modelFile, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  try {
    const feeds = {
      input_ids: tensor(ids),
      attention_mask: tensor(ids.map((id) => (id === 0 ? 0 : 1))),
      token_type_ids: tensor(ids.map(() => 0)),
    };
    return (await session.run(feeds)).last_hidden_state!;
  } finally {
    await session.release();
  }
}

describe('make-model variants', () => {
  it.each([
    { name: 'tiny-no-token-types', inputs: ['input_ids', 'attention_mask'], outputs: ['last_hidden_state'] },
    {
      name: 'tiny-position-ids',
      inputs: ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'],
      outputs: ['last_hidden_state'],
    },
    { name: 'tiny-task-id', inputs: ['input_ids', 'attention_mask', 'token_type_ids', 'task_id'], outputs: ['last_hidden_state'] },
    {
      name: 'tiny-sentence-embedding',
      inputs: ['input_ids', 'attention_mask', 'token_type_ids'],
      outputs: ['token_embeddings', 'sentence_embedding'],
    },
    { name: 'tiny-unigram', inputs: ['input_ids', 'attention_mask'], outputs: ['last_hidden_state'] },
    { name: 'tiny-bpe', inputs: ['input_ids', 'attention_mask'], outputs: ['last_hidden_state'] },
  ] as const)(
    '$name: byte-identical every time, with its inputs and outputs, fp32 and q8',
    async ({ name, inputs, outputs }) => {
      const first = await makeModel(name, { modelsDir: await freshDir() });
      const second = await makeModel(name, { modelsDir: await freshDir() });
      expect(await fileHashes(second)).toEqual(await fileHashes(first));
      for (const file of ['model.onnx', 'model_quantized.onnx']) {
        const graph = decodeModel(await readFile(join(first, 'onnx', file))).graph;
        expect(graph.input.map((i) => i.name)).toEqual(inputs);
        expect(graph.output.map((o) => o.name)).toEqual(outputs);
      }
    },
    30_000,
  );

  it('tiny-external-data keeps every weight matrix in onnx/model.onnx_data, and onnxruntime loads it from there', async () => {
    const folder = await makeModel('tiny-external-data', { modelsDir: await freshDir() });
    const graph = decodeModel(await readFile(join(folder, 'onnx', 'model.onnx'))).graph;
    const external = graph.initializer.filter((t) => t.data_location === 1);
    expect(external.map((t) => t.name)).toContain('embeddings.word_embeddings.weight');
    expect(external.every((t) => t.raw_data === undefined || t.raw_data.length === 0)).toBe(true);
    const dataBytes = (await stat(join(folder, 'onnx', 'model.onnx_data'))).size;
    expect(dataBytes).toBeGreaterThan((await stat(join(folder, 'onnx', 'model.onnx'))).size);
    const output = await run(join(folder, 'onnx', 'model.onnx'));
    expect((output.data as Float32Array).every(Number.isFinite)).toBe(true);
  }, 30_000);
});
