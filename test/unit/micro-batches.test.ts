import { describe, expect, it } from 'vitest';
import { planMicroBatches } from '../../dist/workers/micro-batches.js';

describe('planMicroBatches', () => {
  it('sorts by length and keeps rows x longest row within the budget', () => {
    const lengths = [50, 3, 10, 3, 40, 7, 12, 3];
    const batches = planMicroBatches(lengths, 40);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const batch of batches) {
      const longest = Math.max(...batch.map((i) => lengths[i]!));
      if (batch.length > 1) expect(batch.length * longest).toBeLessThanOrEqual(40);
    }
    expect(batches.map((b) => b.map((i) => lengths[i]))).toEqual([[3, 3, 3, 7], [10, 12], [40], [50]]);
  });

  it('gives a row longer than the budget a run of its own', () => {
    expect(planMicroBatches([100, 2, 2], 8)).toEqual([[1, 2], [0]]);
  });

  it('returns nothing for nothing', () => {
    expect(planMicroBatches([], 100)).toEqual([]);
  });
});
