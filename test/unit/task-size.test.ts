import { describe, expect, it } from 'vitest';
import { taskRowsAfter } from '../../dist/src/run/task-size.js';

describe('task size', () => {
  const sizing = { fullTask: 1600, batchSize: 100, rowsExpected: 20_000, computeSlots: 2 };

  it('is a full task while the rows left fill a task for each worker computing', () => {
    expect(taskRowsAfter(0, sizing)).toBe(1600);
    expect(taskRowsAfter(20_000 - 3200, sizing)).toBe(1600);
  });

  it('shares the last rows out in whole batches, down to one batch', () => {
    expect(taskRowsAfter(20_000 - 1600, sizing)).toBe(800);
    expect(taskRowsAfter(20_000 - 1000, sizing)).toBe(500);
    expect(taskRowsAfter(20_000 - 150, sizing)).toBe(100);
  });

  it('is a full task again past the estimate: the planner counted too few rows, the end is unknown', () => {
    expect(taskRowsAfter(20_000, sizing)).toBe(1600);
    expect(taskRowsAfter(25_000, sizing)).toBe(1600);
  });
});
