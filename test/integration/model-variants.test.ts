/**
 * Generated models shaped like the popular ones that are not BERT with WordPiece: a graph without
 * token_type_ids, with position_ids as an input, with a pooled `sentence_embedding` output, with its
 * weights in external data, and Unigram (XLM-R) and byte-level BPE (RoBERTa) tokenizers. The encoder's
 * vectors must be transformers.js's own pipeline's on the same folder.
 *
 * Texts the model's 128-position limit cuts are left out of the pipeline comparison: transformers.js
 * cuts after adding the special tokens and so drops the closing one, which the encoder keeps (as
 * sentence-transformers does); their word pieces are checked on their own.
 */
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureModel, type GeneratedModelName } from '../../dist/scripts/make-model.js';
import { encodeTexts } from '../../dist/scripts/encode-texts.js';
import { Encoder } from '../../dist/workers/encoder.js';
import { referenceVectors, worstCosine, type ReferencePooling } from '../helpers/reference-vectors.js';
import { variedTexts } from '../helpers/varied-texts.js';

const MAX_LENGTH = 128;

const encoders: Encoder[] = [];
afterAll(async () => {
  for (const encoder of encoders) await encoder.release();
});

async function openEncoder(modelDir: string): Promise<Encoder> {
  const encoder = await Encoder.open({
    modelDir,
    onnxFile: path.join(modelDir, 'onnx', 'model.onnx'),
    maxSequenceLength: MAX_LENGTH,
    threads: 1,
    device: 'cpu',
    maxBatchTokens: 2048,
  });
  encoders.push(encoder);
  return encoder;
}

async function ourVectors(modelDir: string, texts: readonly string[]) {
  const encoded = await encodeTexts(await openEncoder(modelDir), texts);
  const vectors = texts.map((_, i) => encoded.vectors.slice(i * encoded.dimension, (i + 1) * encoded.dimension));
  return { vectors, truncated: encoded.truncated };
}

async function tokenizerOf(modelDir: string) {
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(modelDir) + path.sep;
  return AutoTokenizer.from_pretrained(path.basename(modelDir));
}

describe('generated model variants against transformers.js', () => {
  it.each<{ model: GeneratedModelName; pooling: ReferencePooling; why: string }>([
    { model: 'tiny-no-token-types', pooling: 'mean', why: 'a graph without token_type_ids' },
    { model: 'tiny-external-data', pooling: 'mean', why: 'weights in onnx/model.onnx_data' },
    { model: 'tiny-unigram', pooling: 'mean', why: 'a SentencePiece Unigram tokenizer (XLM-R)' },
    { model: 'tiny-bpe', pooling: 'mean', why: 'a byte-level BPE tokenizer (RoBERTa)' },
    // The graph pools by CLS itself: the encoder's own mean pooling would not match.
    { model: 'tiny-sentence-embedding', pooling: 'cls', why: "the graph's own sentence_embedding output" },
  ])(
    '$model ($why): worst cosine to pipeline(feature-extraction, $pooling, normalize) >= 0.99999',
    async ({ model, pooling }) => {
      const modelDir = await ensureModel(model);
      const texts = variedTexts();
      const ours = await ourVectors(modelDir, texts);
      const kept = texts.flatMap((text, i) => (ours.truncated[i] ? [] : [{ text, vector: ours.vectors[i]! }]));
      expect(kept.length).toBeGreaterThanOrEqual(40);
      const theirs = await referenceVectors(
        modelDir,
        kept.map((k) => k.text),
        pooling,
      );
      expect(
        worstCosine(
          kept.map((k) => k.vector),
          theirs,
        ),
      ).toBeGreaterThanOrEqual(0.99999);
    },
    120_000,
  );

  it('tiny-position-ids, fed 0..S-1 as position_ids, computes what tiny-random computes with them in the graph', async () => {
    const texts = variedTexts();
    const fed = await ourVectors(await ensureModel('tiny-position-ids'), texts);
    const computed = await ourVectors(inject('tinyModelDir'), texts);
    expect(worstCosine(fed.vectors, computed.vectors)).toBeGreaterThanOrEqual(0.99999);
  }, 120_000);

  it('refuses in one line a graph asking for an input it cannot fill (task_id)', async () => {
    const modelDir = await ensureModel('tiny-task-id');
    const opening = openEncoder(modelDir);
    await expect(opening).rejects.toThrow(/asks for input "task_id", which embed cannot fill/);
    const message = await opening.then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message).not.toContain('\n');
  }, 60_000);

  it.each<{ model: GeneratedModelName; closing: string }>([
    { model: 'tiny-random', closing: '[SEP]' },
    { model: 'tiny-unigram', closing: '</s>' },
    { model: 'tiny-bpe', closing: '</s>' },
  ])(
    "$model: a text over the limit keeps the tokenizer's own closing token ($closing)",
    async ({ model, closing }) => {
      const modelDir = await ensureModel(model);
      const tokenizer = await tokenizerOf(modelDir);
      const long = Array.from({ length: 200 }, (_, i) => `the river ${i} and the stone`).join(' ');
      const encoder = await openEncoder(modelDir);
      const [tokenized] = encoder.tokenize([long]);
      const full = tokenizer.encode(long);
      expect(full.length).toBeGreaterThan(MAX_LENGTH);
      expect(tokenized!.truncated).toBe(true);
      expect(tokenized!.fullLength).toBe(full.length);
      expect(tokenized!.ids).toEqual([...full.slice(0, MAX_LENGTH - 1), tokenizer.convert_tokens_to_ids(closing)]);
    },
    60_000,
  );
});
