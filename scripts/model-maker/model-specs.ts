/** The BERT architectures make-model can generate, by name, and how each departs from BertModel. */
import { BYTE_BPE } from './byte-bpe-tokenizer-files.js';
import type { GeneratedModelName } from './model-name.js';
import { UNIGRAM_PIECES } from './sentencepiece-tokenizer-files.js';
import { TINY_VOCABULARY } from './tiny-vocabulary.js';

export interface BertArchitecture {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** How a graph departs from BertModel's (input_ids, attention_mask, token_type_ids) -> last_hidden_state. */
export interface GraphVariant {
  /** false: no token_type_ids input and no token type table, as RoBERTa-family exports have. */
  tokenTypeIds?: boolean;
  /** Positions come in as a `position_ids` input instead of being computed in the graph. */
  positionIdsInput?: boolean;
  /** A `task_id` input (one id per batch) adding a task embedding, as jina-embeddings-v3 has. */
  taskIdInput?: boolean;
  /**
   * Also output `sentence_embedding`, pooled and normalised in the graph, with the token states as
   * `token_embeddings`. The graph pools by the first token (CLS) so that its output cannot be mistaken
   * for the mean pooling a reader would apply by default.
   */
  sentenceEmbeddingOutput?: boolean;
}

export interface ModelSpec {
  architecture: BertArchitecture;
  /**
   * 'tiny': the tokenizer is generated with the model. 'bert-uncased': an uncased BERT WordPiece tokenizer of
   * `vocabSize` pieces: a real one copied from a folder when one is given (so the stand-in tokenizes exactly
   * like the model it replaces), else one learned from text (wordpiece-trainer.ts).
   */
  tokenizer: TokenizerKind;
  /** sentence_bert_config.json, when the model stands in for a sentence-transformers model. */
  sentenceBertConfig?: { max_seq_length: number; do_lower_case: boolean };
  /** Inputs and outputs other than BertModel's; none for a plain BERT graph. */
  graph?: GraphVariant;
  /** Draw the weights as this model does (same seed, same shapes), to compare two graphs of one model. */
  weightsOf?: GeneratedModelName;
  /** The fp32 weights go to onnx/model.onnx_data beside onnx/model.onnx. */
  externalData?: boolean;
}

/**
 * 'unigram': a SentencePiece Unigram tokenizer as XLM-R's; 'byte-bpe': a byte-level BPE tokenizer as
 * RoBERTa's; both hand-made and small, with <s> and </s> around a sequence.
 */
export type TokenizerKind = 'tiny' | 'bert-uncased' | 'unigram' | 'byte-bpe';

/** Tiny dimensions: variants that test a graph's inputs, outputs or files need no more, and load at once. */
const tinyArchitecture = (vocabSize: number): BertArchitecture => ({
  vocabSize,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  intermediateSize: 64,
  maxPositionEmbeddings: 128,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
});

export const MODEL_SPECS = {
  'tiny-random': { architecture: tinyArchitecture(TINY_VOCABULARY.length), tokenizer: 'tiny' },
  // all-MiniLM-L6-v2's architecture, so a forward pass costs what the real model costs.
  'minilm-l6-random': {
    architecture: {
      vocabSize: 30522,
      hiddenSize: 384,
      numHiddenLayers: 6,
      numAttentionHeads: 12,
      intermediateSize: 1536,
      maxPositionEmbeddings: 512,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
    },
    tokenizer: 'bert-uncased',
    // sentence-transformers truncates MiniLM at 256 word pieces, not at the 512 positions it has.
    sentenceBertConfig: { max_seq_length: 256, do_lower_case: false },
  },
  'tiny-no-token-types': { architecture: tinyArchitecture(TINY_VOCABULARY.length), tokenizer: 'tiny', graph: { tokenTypeIds: false } },
  // tiny-random's weights with positions as an input: fed 0..S-1, it must compute what tiny-random does.
  'tiny-position-ids': {
    architecture: tinyArchitecture(TINY_VOCABULARY.length),
    tokenizer: 'tiny',
    graph: { positionIdsInput: true },
    weightsOf: 'tiny-random',
  },
  // An input embed cannot fill (jina-embeddings-v3's task_id), for the refusal.
  'tiny-task-id': { architecture: tinyArchitecture(TINY_VOCABULARY.length), tokenizer: 'tiny', graph: { taskIdInput: true } },
  'tiny-sentence-embedding': {
    architecture: tinyArchitecture(TINY_VOCABULARY.length),
    tokenizer: 'tiny',
    graph: { sentenceEmbeddingOutput: true },
  },
  'tiny-external-data': { architecture: tinyArchitecture(TINY_VOCABULARY.length), tokenizer: 'tiny', externalData: true },
  // XLM-R and RoBERTa exports have no token_type_ids input.
  'tiny-unigram': { architecture: tinyArchitecture(UNIGRAM_PIECES.length), tokenizer: 'unigram', graph: { tokenTypeIds: false } },
  'tiny-bpe': { architecture: tinyArchitecture(BYTE_BPE.vocabulary.length), tokenizer: 'byte-bpe', graph: { tokenTypeIds: false } },
  // MiniLM's layers with 2,048 positions, so that a long row costs what it costs in a long-context model;
  // the tiny vocabulary, which changes nothing in that cost.
  'long-2048-random': {
    architecture: {
      vocabSize: TINY_VOCABULARY.length,
      hiddenSize: 384,
      numHiddenLayers: 6,
      numAttentionHeads: 12,
      intermediateSize: 1536,
      maxPositionEmbeddings: 2048,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
    },
    tokenizer: 'tiny',
  },
} as const satisfies Record<GeneratedModelName, ModelSpec>;
