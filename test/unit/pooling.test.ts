import { describe, expect, it } from 'vitest';
import { poolVectors } from '../../dist/workers/pooling.js';

// 2 rows x 3 tokens x 2 dims; the second row's last token is padding and must never count.
const tokens = new Float32Array([1, 0, 3, 0, 2, 0, 0, 1, 0, 3, 100, 100]);
const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);
const raw = { normalize: false, dimensions: 2 };
const pool = (pooling: 'mean' | 'cls' | 'max' | 'last-token' | 'mean-sqrt-len', profile = raw) =>
  Array.from(poolVectors({ data: tokens, hidden: 2, pooled: false }, mask, 2, 3, { pooling, ...profile }).vectors);

describe('poolVectors', () => {
  it('pools only unmasked tokens, in each mode', () => {
    expect(pool('mean')).toEqual([2, 0, 0, 2]);
    expect(pool('mean-sqrt-len').map((v) => Number(v.toFixed(5)))).toEqual([
      Number((6 / Math.sqrt(3)).toFixed(5)),
      0,
      0,
      Number((4 / Math.sqrt(2)).toFixed(5)),
    ]);
    expect(pool('cls')).toEqual([1, 0, 0, 1]);
    expect(pool('max')).toEqual([3, 0, 0, 3]);
    expect(pool('last-token')).toEqual([2, 0, 0, 3]);
  });

  it('scales to unit length when asked, after keeping the first dimensions', () => {
    expect(pool('mean', { normalize: true, dimensions: 2 })).toEqual([1, 0, 0, 1]);
    expect(pool('max', { normalize: true, dimensions: 1 })).toEqual([1, 0]);
  });

  it('takes a pooled output as it is, then truncates and normalises it', () => {
    const pooled = poolVectors({ data: new Float32Array([3, 4, 9, 0, 0, 2]), hidden: 3, pooled: true }, mask, 2, 3, {
      pooling: 'mean',
      normalize: true,
      dimensions: 2,
    });
    expect(pooled.dimension).toBe(2);
    expect(Array.from(pooled.vectors).map((v) => Number(v.toFixed(6)))).toEqual([0.6, 0.8, 0, 0]);
  });

  it('leaves an all-zero vector at zero instead of dividing by zero', () => {
    const zero = poolVectors({ data: new Float32Array(4), hidden: 2, pooled: false }, new BigInt64Array([1n, 1n]), 1, 2, {
      pooling: 'mean',
      normalize: true,
      dimensions: 2,
    });
    expect(Array.from(zero.vectors)).toEqual([0, 0]);
  });
});
