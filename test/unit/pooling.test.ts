import { describe, expect, it } from 'vitest';
import { meanPoolNormalised } from '../../dist/workers/pooling.js';

describe('meanPoolNormalised', () => {
  it('averages only unmasked tokens, then scales to unit length', () => {
    // 2 rows x 3 tokens x 2 dims; the second row's last token is padding and must not count.
    const hidden = new Float32Array([1, 0, 3, 0, 2, 0, 0, 1, 0, 3, 100, 100]);
    const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);
    const pooled = meanPoolNormalised(hidden, mask, 2, 3, 2);
    expect(Array.from(pooled.subarray(0, 2))).toEqual([1, 0]);
    expect(Array.from(pooled.subarray(2, 4))).toEqual([0, 1]);
  });

  it('leaves an all-zero vector at zero instead of dividing by zero', () => {
    const pooled = meanPoolNormalised(new Float32Array(4), new BigInt64Array([1n, 1n]), 1, 2, 2);
    expect(Array.from(pooled)).toEqual([0, 0]);
  });
});
