/**
 * The model's output to one stored vector per row, as sentence-transformers does it: pool the token
 * vectors under the attention mask (unless the graph pooled already), keep the first `dimensions`
 * values (Matryoshka), then L2 normalise, so that a dot product between two stored vectors is their
 * cosine similarity.
 */
import type { OutputProfile, Pooling } from '../common/output-profile.js';

export interface ModelOutput {
  /** [rows, sequenceLength, hidden] token vectors, or [rows, hidden] when `pooled`. */
  data: Float32Array;
  hidden: number;
  pooled: boolean;
}

export function poolVectors(
  output: ModelOutput,
  attentionMask: BigInt64Array,
  rows: number,
  sequenceLength: number,
  profile: Pick<OutputProfile, 'pooling' | 'normalize' | 'dimensions'>,
): { vectors: Float32Array; dimension: number } {
  const { data, hidden } = output;
  const dimension = Math.min(profile.dimensions, hidden);
  const vectors = new Float32Array(rows * dimension);
  const pooled = new Float64Array(hidden);
  for (let row = 0; row < rows; row++) {
    if (output.pooled) {
      for (let h = 0; h < hidden; h++) pooled[h] = data[row * hidden + h]!;
    } else {
      poolRow(
        profile.pooling,
        data,
        attentionMask.subarray(row * sequenceLength, (row + 1) * sequenceLength),
        row * sequenceLength * hidden,
        hidden,
        pooled,
      );
    }
    let norm = 0;
    for (let h = 0; h < dimension; h++) norm += pooled[h]! * pooled[h]!;
    const scale = profile.normalize ? 1 / Math.max(Math.sqrt(norm), 1e-12) : 1;
    for (let h = 0; h < dimension; h++) vectors[row * dimension + h] = pooled[h]! * scale;
  }
  return { vectors, dimension };
}

/**
 * One row's token vectors (from `offset` in `data`) pooled into `into`. Sums run over the kept tokens in
 * order, in float64: another order or precision would move the stored vectors.
 */
function poolRow(pooling: Pooling, data: Float32Array, mask: BigInt64Array, offset: number, hidden: number, into: Float64Array): void {
  let keptCount = 0;
  let lastKept = -1;
  for (let t = 0; t < mask.length; t++) {
    if (mask[t] !== 0n) {
      keptCount++;
      lastKept = t;
    }
  }
  if (pooling === 'cls' || pooling === 'last-token') {
    // The first token is the classifier token; the last one the mask keeps ends the text, wherever padding is.
    const at = offset + (pooling === 'cls' ? 0 : Math.max(lastKept, 0)) * hidden;
    for (let h = 0; h < hidden; h++) into[h] = data[at + h]!;
    return;
  }
  if (pooling === 'max') {
    into.fill(keptCount === 0 ? 0 : Number.NEGATIVE_INFINITY);
    for (let t = 0; t < mask.length; t++) {
      if (mask[t] === 0n) continue;
      const at = offset + t * hidden;
      for (let h = 0; h < hidden; h++) into[h] = Math.max(into[h]!, data[at + h]!);
    }
    return;
  }
  into.fill(0);
  for (let t = 0; t < mask.length; t++) {
    if (mask[t] === 0n) continue;
    const at = offset + t * hidden;
    for (let h = 0; h < hidden; h++) into[h] += data[at + h]!;
  }
  // sentence-transformers clamps the token count at 1e-9 before dividing.
  const tokens = Math.max(keptCount, 1e-9);
  const divisor = pooling === 'mean' ? tokens : Math.sqrt(tokens);
  for (let h = 0; h < hidden; h++) into[h] /= divisor;
}
