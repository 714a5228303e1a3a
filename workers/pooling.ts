/**
 * Sentence-transformers' pooling: the mean of the token vectors under the attention mask, then L2
 * normalisation, so that a dot product between two stored vectors is their cosine similarity.
 */
export function meanPoolNormalised(
  hiddenStates: Float32Array,
  attentionMask: BigInt64Array,
  rows: number,
  sequenceLength: number,
  hidden: number,
): Float32Array {
  const pooled = new Float32Array(rows * hidden);
  const sum = new Float64Array(hidden);
  for (let row = 0; row < rows; row++) {
    sum.fill(0);
    let tokens = 0;
    for (let t = 0; t < sequenceLength; t++) {
      if (attentionMask[row * sequenceLength + t] === 0n) continue;
      tokens++;
      const offset = (row * sequenceLength + t) * hidden;
      for (let h = 0; h < hidden; h++) sum[h] += hiddenStates[offset + h]!;
    }
    const divisor = Math.max(tokens, 1e-9);
    let norm = 0;
    for (let h = 0; h < hidden; h++) {
      sum[h] /= divisor;
      norm += sum[h]! * sum[h]!;
    }
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let h = 0; h < hidden; h++) pooled[row * hidden + h] = sum[h]! * scale;
  }
  return pooled;
}
