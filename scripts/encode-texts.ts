/**
 * Tokenize and embed in one call, with timings: what the bench, the demo and the tests ask of an
 * Encoder. The engine's worker does the two steps apart, with its compute gate and dedupe between them.
 */
import type { Embedded, Encoder } from '../workers/encoder.js';

export interface Encoded extends Embedded {
  /** Word pieces per text before truncation, special tokens included. */
  tokenCounts: number[];
  truncated: boolean[];
  tokenizeMs: number;
  inferenceMs: number;
}

export async function encodeTexts(encoder: Encoder, texts: readonly string[]): Promise<Encoded> {
  const startedAt = performance.now();
  const tokenized = encoder.tokenize(texts);
  const tokenizedAt = performance.now();
  const embedded = await encoder.embedTokenized(tokenized);
  return {
    ...embedded,
    tokenCounts: tokenized.map((t) => t.fullLength),
    truncated: tokenized.map((t) => t.truncated),
    tokenizeMs: tokenizedAt - startedAt,
    inferenceMs: performance.now() - tokenizedAt,
  };
}
