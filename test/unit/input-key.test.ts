import { describe, expect, it } from 'vitest';
import { inputKey } from '../../dist/workers/input-key.js';

describe('inputKey', () => {
  it('is 16 bytes that depend on every id and their order', () => {
    const key = inputKey([101, 7592, 2088, 102]);
    expect(key).toHaveLength(16);
    expect(inputKey([101, 7592, 2088, 102]).equals(key)).toBe(true);
    expect(inputKey([101, 2088, 7592, 102]).equals(key)).toBe(false);
    expect(inputKey([101, 7592, 2088]).equals(key)).toBe(false);
    expect(inputKey([101, 7592, 2089, 102]).equals(key)).toBe(false);
  });

  it('tells apart id sequences whose digits run together', () => {
    expect(inputKey([1, 23]).equals(inputKey([12, 3]))).toBe(false);
    expect(inputKey([]).equals(inputKey([0]))).toBe(false);
  });
});
