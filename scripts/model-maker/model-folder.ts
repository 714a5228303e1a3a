/**
 * Writes one generated model in the transformers.js folder layout: config and tokenizer files at the top,
 * the fp32 and int8 ONNX files under onnx/ (the fp32 weights in onnx/model.onnx_data when the model has
 * external data).
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedModelName } from './model-name.js';
import { buildBertModel } from './bert-graph.js';
import { BYTE_BPE_SPECIAL_TOKENS_MAP, byteBpeTokenizerConfig, byteBpeTokenizerJson } from './byte-bpe-tokenizer-files.js';
import { withExternalData } from './external-data.js';
import { type BertArchitecture, MODEL_SPECS, type ModelSpec } from './model-specs.js';
import { encodeModel } from './onnx-proto.js';
import { quantizeMatMulWeights } from './quantize-matmul.js';
import { SeededRandom, seedFromName } from './seeded-random.js';
import { SPECIAL_TOKENS_MAP, bertTokenizerConfig, bertTokenizerJson, vocabTxt } from './bert-tokenizer-files.js';
import { SENTENCEPIECE_SPECIAL_TOKENS_MAP, unigramTokenizerConfig, unigramTokenizerJson } from './sentencepiece-tokenizer-files.js';
import { generatedEnglish } from './generated-english.js';
import { TINY_VOCABULARY } from './tiny-vocabulary.js';
import { TOKENIZER_SOURCE_FILE, type TokenizerNote, type TokenizerSource } from './tokenizer-source.js';
import { countWords, learnWordPieceVocabulary, type LearnedVocabulary } from './wordpiece-trainer.js';

const COPIED_TOKENIZER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'] as const;

export const FP32_MODEL_FILE = join('onnx', 'model.onnx');
export const Q8_MODEL_FILE = join('onnx', 'model_quantized.onnx');
/** Where the fp32 weights go when a model has external data: `<onnx file>_data`, as exporters name it. */
const EXTERNAL_DATA_FILE = 'model.onnx_data';

const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The family the tokenizer belongs to, as config.json names it; the graph is BERT's in every case. */
const FAMILIES = {
  unigram: { architectures: ['XLMRobertaModel'], model_type: 'xlm-roberta', pad_token_id: 1, bos_token_id: 0, eos_token_id: 2 },
  'byte-bpe': { architectures: ['RobertaModel'], model_type: 'roberta', pad_token_id: 1, bos_token_id: 0, eos_token_id: 2 },
} as const;

function modelConfig(spec: ModelSpec): object {
  const config = bertConfig(spec.architecture);
  const family = spec.tokenizer === 'unigram' || spec.tokenizer === 'byte-bpe' ? FAMILIES[spec.tokenizer] : {};
  // transformers.js reads the external data file only when the config says it is there.
  const transformersJs = spec.externalData ? { 'transformers.js_config': { use_external_data_format: { 'model.onnx': true } } } : {};
  return { ...config, ...family, ...transformersJs };
}

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
    COPIED_TOKENIZER_FILES.map((file) =>
      access(join(folder, file)).then(
        () => true,
        () => false,
      ),
    ),
  );
  const missing = COPIED_TOKENIZER_FILES.filter((_, i) => !present[i]);
  if (missing.length === 0) return;
  const expected = COPIED_TOKENIZER_FILES.join(', ');
  const problem = missing.length === COPIED_TOKENIZER_FILES.length ? 'is missing or empty' : `lacks ${missing.join(', ')}`;
  throw new Error(
    `tokenizer folder ${folder} ${problem}: it must hold ${expected} (choose it with --tokenizer-from or EMBED_TOKENIZER_FROM, or leave both unset to generate one)`,
  );
}

/** Sentences of generated English to learn from when no text is given: enough that every lexicon form recurs. */
const GENERATED_SENTENCES = 100_000;

/** Learned once per process: the text is generated, so the vocabulary is always the same. */
let fromGeneratedEnglish: LearnedVocabulary | undefined;

async function learnedVocabulary(textFile: string | undefined): Promise<{ pieces: string[]; description: string }> {
  if (textFile === undefined) fromGeneratedEnglish ??= learnWordPieceVocabulary(countWords(generatedEnglish(GENERATED_SENTENCES)));
  const { pieces, learned } =
    textFile === undefined ? fromGeneratedEnglish! : learnWordPieceVocabulary(countWords((await readFile(textFile, 'utf8')).split('\n')));
  const from = textFile === undefined ? 'generated English text' : textFile;
  return {
    pieces,
    description: `generated uncased WordPiece, ${pieces.length.toLocaleString('en-US')} pieces (${learned.toLocaleString('en-US')} learned from ${from})`,
  };
}

async function writeTokenizer(folder: string, pieces: readonly string[], maxLength: number): Promise<void> {
  await Promise.all([
    writeFile(join(folder, 'tokenizer.json'), jsonText(bertTokenizerJson(pieces))),
    writeFile(join(folder, 'tokenizer_config.json'), jsonText(bertTokenizerConfig(maxLength))),
    writeFile(join(folder, 'special_tokens_map.json'), jsonText(SPECIAL_TOKENS_MAP)),
    writeFile(join(folder, 'vocab.txt'), vocabTxt(pieces)),
  ]);
}

/** Fills `folder` (which must exist) with the named model; `tokenizer` is only read for BERT tokenizers. */
export async function writeModelFolder(folder: string, name: GeneratedModelName, tokenizer: TokenizerSource): Promise<void> {
  const spec: ModelSpec = MODEL_SPECS[name];
  const arch: BertArchitecture = spec.architecture;
  const copied = spec.tokenizer === 'bert-uncased' && tokenizer.kind === 'copied' ? tokenizer.from : undefined;
  // Checked first: generating the weights takes seconds, a missing file should fail at once.
  if (copied !== undefined) await checkTokenizerFolder(copied);

  await mkdir(join(folder, 'onnx'));
  let note: TokenizerNote;
  if (copied !== undefined) {
    // Contents only (not copyFile): a read-only source would otherwise make the copies read-only too.
    await Promise.all(COPIED_TOKENIZER_FILES.map(async (file) => writeFile(join(folder, file), await readFile(join(copied, file)))));
    note = { description: `copied from ${copied}`, source: { kind: 'copied', from: copied } };
  } else if (spec.tokenizer === 'bert-uncased') {
    const textFile = tokenizer.kind === 'learned' ? tokenizer.textFile : undefined;
    const { pieces, description } = await learnedVocabulary(textFile);
    if (pieces.length !== arch.vocabSize) throw new Error(`learned ${pieces.length} pieces, the model has ${arch.vocabSize}`);
    await writeTokenizer(folder, pieces, arch.maxPositionEmbeddings);
    await writeFile(join(folder, 'config.json'), jsonText(bertConfig(arch)));
    note = { description, source: textFile === undefined ? { kind: 'learned' } : { kind: 'learned', textFile } };
  } else if (spec.tokenizer === 'unigram') {
    await Promise.all([
      writeFile(join(folder, 'tokenizer.json'), jsonText(unigramTokenizerJson())),
      writeFile(join(folder, 'tokenizer_config.json'), jsonText(unigramTokenizerConfig(arch.maxPositionEmbeddings))),
      writeFile(join(folder, 'special_tokens_map.json'), jsonText(SENTENCEPIECE_SPECIAL_TOKENS_MAP)),
      writeFile(join(folder, 'config.json'), jsonText(modelConfig(spec))),
    ]);
    note = { description: `generated SentencePiece Unigram, ${arch.vocabSize} pieces (a fixed word list)`, source: { kind: 'tiny' } };
  } else if (spec.tokenizer === 'byte-bpe') {
    await Promise.all([
      writeFile(join(folder, 'tokenizer.json'), jsonText(byteBpeTokenizerJson())),
      writeFile(join(folder, 'tokenizer_config.json'), jsonText(byteBpeTokenizerConfig(arch.maxPositionEmbeddings))),
      writeFile(join(folder, 'special_tokens_map.json'), jsonText(BYTE_BPE_SPECIAL_TOKENS_MAP)),
      writeFile(join(folder, 'config.json'), jsonText(modelConfig(spec))),
    ]);
    note = { description: `generated byte-level BPE, ${arch.vocabSize} pieces (merges of a fixed word list)`, source: { kind: 'tiny' } };
  } else {
    await writeTokenizer(folder, TINY_VOCABULARY, arch.maxPositionEmbeddings);
    await writeFile(join(folder, 'config.json'), jsonText(modelConfig(spec)));
    note = { description: `generated uncased WordPiece, ${TINY_VOCABULARY.length} pieces (a fixed word list)`, source: { kind: 'tiny' } };
  }
  await writeFile(join(folder, TOKENIZER_SOURCE_FILE), jsonText(note));
  if (spec.sentenceBertConfig !== undefined) {
    await writeFile(join(folder, 'sentence_bert_config.json'), jsonText(spec.sentenceBertConfig));
  }

  const model = buildBertModel(name, arch, new SeededRandom(seedFromName(spec.weightsOf ?? name)), spec.graph);
  if (spec.externalData) {
    const external = withExternalData(model, EXTERNAL_DATA_FILE);
    await writeFile(join(folder, FP32_MODEL_FILE), encodeModel(external.model));
    await writeFile(join(folder, 'onnx', EXTERNAL_DATA_FILE), external.data);
  } else {
    await writeFile(join(folder, FP32_MODEL_FILE), encodeModel(model));
  }
  await writeFile(join(folder, Q8_MODEL_FILE), encodeModel(quantizeMatMulWeights(model)));
}
