/**
 * How a worker turns the model's output into the vector it stores: the part of the model profile
 * (src/model/model-profile.ts) that crosses to the workers. Decided once per job on the main thread.
 */
export const poolings = ['mean', 'cls', 'max', 'last-token', 'mean-sqrt-len'] as const;

/** Token vectors to one vector: sentence-transformers' pooling modes of the same names. */
export type Pooling = (typeof poolings)[number];

export interface OutputProfile {
  pooling: Pooling;
  /** L2 normalise the (truncated) vector, so that a dot product is a cosine similarity. */
  normalize: boolean;
  /** Put before every row's text before tokenizing ('' for none). */
  prompt: string;
  /** Values kept from the front of each vector (Matryoshka); the model's own dimension keeps them all. */
  dimensions: number;
  /** A Dense module follows the pooling: only a graph that outputs `sentence_embedding` gives the vector. */
  needsPooledOutput: boolean;
}
