/** The BERT architectures make-model can generate, by name. */
import type { GeneratedModelName } from './model-name.js';
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

export interface ModelSpec {
  architecture: BertArchitecture;
  /**
   * 'tiny': the tokenizer is generated with the model. 'bert-uncased': an uncased BERT WordPiece tokenizer of
   * `vocabSize` pieces: a real one copied from a folder when one is given (so the stand-in tokenizes exactly
   * like the model it replaces), else one learned from text (wordpiece-trainer.ts).
   */
  tokenizer: 'tiny' | 'bert-uncased';
  /** sentence_bert_config.json, when the model stands in for a sentence-transformers model. */
  sentenceBertConfig?: { max_seq_length: number; do_lower_case: boolean };
}

export const MODEL_SPECS = {
  'tiny-random': {
    architecture: {
      vocabSize: TINY_VOCABULARY.length,
      hiddenSize: 32,
      numHiddenLayers: 2,
      numAttentionHeads: 4,
      intermediateSize: 64,
      maxPositionEmbeddings: 128,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
    },
    tokenizer: 'tiny',
  },
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
} as const satisfies Record<GeneratedModelName, ModelSpec>;
