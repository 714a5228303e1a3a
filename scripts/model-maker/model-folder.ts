/**
 * Writes one generated model in the transformers.js folder layout: config and tokenizer files at the top,
 * the fp32 and int8 ONNX files under onnx/.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedModelName } from './model-name.js';
import { buildBertModel } from './bert-graph.js';
import { type BertArchitecture, MODEL_SPECS } from './model-specs.js';
import { encodeModel } from './onnx-proto.js';
import { quantizeMatMulWeights } from './quantize-matmul.js';
import { SeededRandom, seedFromName } from './seeded-random.js';
import { SPECIAL_TOKENS_MAP, tinyTokenizerConfig, tinyTokenizerJson, tinyVocabTxt } from './tiny-vocabulary.js';

const COPIED_TOKENIZER_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
] as const;

export const FP32_MODEL_FILE = join('onnx', 'model.onnx');
export const Q8_MODEL_FILE = join('onnx', 'model_quantized.onnx');

const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

function bertConfig(arch: BertArchitecture): object {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: arch.vocabSize,
    hidden_size: arch.hiddenSize,
    num_hidden_layers: arch.numHiddenLayers,
    num_attention_heads: arch.numAttentionHeads,
    intermediate_size: arch.intermediateSize,
    hidden_act: 'gelu',
    max_position_embeddings: arch.maxPositionEmbeddings,
    type_vocab_size: arch.typeVocabSize,
    layer_norm_eps: arch.layerNormEps,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
  };
}

async function checkTokenizerFolder(folder: string): Promise<void> {
  const present = await Promise.all(
    COPIED_TOKENIZER_FILES.map((file) => access(join(folder, file)).then(() => true, () => false)),
  );
  const missing = COPIED_TOKENIZER_FILES.filter((_, i) => !present[i]);
  if (missing.length === 0) return;
  const expected = COPIED_TOKENIZER_FILES.join(', ');
  const problem = missing.length === COPIED_TOKENIZER_FILES.length ? 'is missing or empty' : `lacks ${missing.join(', ')}`;
  throw new Error(`tokenizer folder ${folder} ${problem}: it must hold ${expected} (choose it with --tokenizer-from)`);
}

/** Fills `folder` (which must exist) with the named model; `tokenizerFrom` is only read for copied tokenizers. */
export async function writeModelFolder(folder: string, name: GeneratedModelName, tokenizerFrom: string): Promise<void> {
  const spec = MODEL_SPECS[name];
  const arch: BertArchitecture = spec.architecture;
  // Checked first: generating the weights takes seconds, a missing file should fail at once.
  if (spec.tokenizer === 'copied') await checkTokenizerFolder(tokenizerFrom);

  await mkdir(join(folder, 'onnx'));
  if (spec.tokenizer === 'copied') {
    // Contents only (not copyFile): a read-only source would otherwise make the copies read-only too.
    await Promise.all(
      COPIED_TOKENIZER_FILES.map(async (file) => writeFile(join(folder, file), await readFile(join(tokenizerFrom, file)))),
    );
  } else {
    await Promise.all([
      writeFile(join(folder, 'config.json'), jsonText(bertConfig(arch))),
      writeFile(join(folder, 'tokenizer.json'), jsonText(tinyTokenizerJson())),
      writeFile(join(folder, 'tokenizer_config.json'), jsonText(tinyTokenizerConfig(arch.maxPositionEmbeddings))),
      writeFile(join(folder, 'special_tokens_map.json'), jsonText(SPECIAL_TOKENS_MAP)),
      writeFile(join(folder, 'vocab.txt'), tinyVocabTxt()),
    ]);
  }
  if ('sentenceBertConfig' in spec) {
    await writeFile(join(folder, 'sentence_bert_config.json'), jsonText(spec.sentenceBertConfig));
  }

  const model = buildBertModel(name, arch, new SeededRandom(seedFromName(name)));
  await writeFile(join(folder, FP32_MODEL_FILE), encodeModel(model));
  await writeFile(join(folder, Q8_MODEL_FILE), encodeModel(quantizeMatMulWeights(model)));
}
