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
   * 'tiny': the tokenizer is generated with the model. 'copied': the tokenizer and config.json of a real
   * model are copied from a folder, so the stand-in tokenizes exactly like the model it replaces.
   */
  tokenizer: 'tiny' | 'copied';
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
    tokenizer: 'copied',
    // sentence-transformers truncates MiniLM at 256 word pieces, not at the 512 positions it has.
    sentenceBertConfig: { max_seq_length: 256, do_lower_case: false },
  },
} as const satisfies Record<GeneratedModelName, ModelSpec>;
