import { describe, expect, it } from 'vitest';
import { maxPaddingRatio, planMicroBatches } from '../../dist/workers/micro-batches.js';

describe('planMicroBatches', () => {
  it('sorts by length and keeps rows x longest row within the budget and the padding ratio', () => {
    const lengths = [50, 3, 10, 3, 40, 7, 12, 3, 40];
    const batches = planMicroBatches(lengths, 80);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (const batch of batches) {
      const padded = batch.length * Math.max(...batch.map((i) => lengths[i]!));
      const real = batch.reduce((sum, i) => sum + lengths[i]!, 0);
      if (batch.length > 1) {
        expect(padded).toBeLessThanOrEqual(80);
        expect(padded).toBeLessThanOrEqual(maxPaddingRatio * real);
      }
    }
    // [3, 3, 3, 7] would pad 16 real tokens to 28; [10, 12] pads 22 to 24, within 1.1.
    expect(batches.map((b) => b.map((i) => lengths[i]))).toEqual([[3, 3, 3], [7], [10, 12], [40, 40], [50]]);
  });

  it('keeps the input order among rows of equal length', () => {
    expect(planMicroBatches([5, 5, 5, 5], 100)).toEqual([[0, 1, 2, 3]]);
  });

  it('gives a row longer than the budget a run of its own', () => {
    expect(planMicroBatches([100, 2, 2], 8)).toEqual([[1, 2], [0]]);
  });

  it('returns nothing for nothing', () => {
    expect(planMicroBatches([], 100)).toEqual([]);
  });
});
