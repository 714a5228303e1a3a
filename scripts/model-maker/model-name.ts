/** The models make-model can generate. */
export type GeneratedModelName = 'tiny-random' | 'minilm-l6-random';
