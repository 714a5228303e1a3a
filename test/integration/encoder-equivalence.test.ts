/**
 * The encoder (tokenizer + our own ONNX session + pooling) must give the vectors transformers.js's own
 * feature-extraction pipeline gives for the same local model.
 *
 * One known difference, on purpose: for a text longer than the model's limit, transformers.js cuts the
 * ids after adding the special tokens and so drops the closing [SEP]; sentence-transformers (and this
 * encoder) keep it. The pipeline is therefore given the text the kept word pieces decode to, which it
 * tokenizes to exactly what the encoder ran.
 */
import path from 'node:path';
import { AutoTokenizer, pipeline, env } from '@huggingface/transformers';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureModel } from '../../dist/scripts/make-model.js';
import { Encoder } from '../../dist/workers/encoder.js';
import { variedTexts } from '../helpers/varied-texts.js';
import { encodeTexts } from '../../dist/scripts/encode-texts.js';

describe('encoder equivalence with transformers.js', () => {
  const encoders: Encoder[] = [];
  afterAll(async () => {
    for (const encoder of encoders) await encoder.release();
  });

  // tiny-random has its own small vocabulary; minilm-l6-random a BERT-sized uncased WordPiece one (learned,
  // or a real one copied) and its sentence-transformers limit of 256 word pieces (the tokenizer alone would
  // allow 512).
  it.each([
    { model: 'tiny-random', maxLength: 128 },
    { model: 'minilm-l6-random', maxLength: 256 },
  ])(
    '$model: matches pipeline(feature-extraction, mean pooling, normalize) within 1e-5 on 50+ varied texts',
    async ({ model, maxLength }) => {
      const modelDir = model === 'tiny-random' ? inject('tinyModelDir') : await ensureModel('minilm-l6-random');
      const texts = variedTexts();
      expect(texts.length).toBeGreaterThanOrEqual(50);
      env.allowRemoteModels = false;
      env.localModelPath = path.dirname(modelDir) + path.sep;
      const extractor = await pipeline('feature-extraction', path.basename(modelDir), { dtype: 'fp32', device: 'cpu' });
      const encoder = await Encoder.open({
        modelDir,
        onnxFile: path.join(modelDir, 'onnx', 'model.onnx'),
        maxSequenceLength: maxLength,
        threads: 1,
        device: 'cpu',
        maxBatchTokens: 2048,
      });
      encoders.push(encoder);
      const tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir));
      const ours = await encodeTexts(encoder, texts);
      expect(ours.truncated.filter(Boolean).length).toBe(1);
      for (let i = 0; i < texts.length; i++) {
        let text = texts[i]!;
        if (ours.truncated[i]) {
          const ids = tokenizer.encode(text);
          expect(ids.length).toBeGreaterThan(maxLength);
          text = tokenizer.decode(ids.slice(1, maxLength - 1));
          expect(tokenizer.encode(text)).toEqual([...ids.slice(0, maxLength - 1), ids[ids.length - 1]]);
        }
        const theirs = await extractor(text, { pooling: 'mean', normalize: true });
        const expected = theirs.data as Float32Array;
        const actual = ours.vectors.subarray(i * ours.dimension, (i + 1) * ours.dimension);
        expect(actual.length).toBe(expected.length);
        const maxDifference = Math.max(...Array.from(actual, (v, k) => Math.abs(v - expected[k]!)));
        expect(maxDifference, `text ${i}: ${JSON.stringify(texts[i]!.slice(0, 40))}`).toBeLessThan(1e-5);
      }
      await extractor.dispose();
    },
  );
});
