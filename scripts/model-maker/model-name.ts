/** The models make-model can generate. */
export type GeneratedModelName =
  | 'tiny-random'
  | 'minilm-l6-random'
  | 'tiny-no-token-types'
  | 'tiny-position-ids'
  | 'tiny-task-id'
  | 'tiny-sentence-embedding'
  | 'tiny-external-data'
  | 'tiny-unigram'
  | 'tiny-bpe'
  | 'long-2048-random';
