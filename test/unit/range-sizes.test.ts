import { describe, expect, it } from 'vitest';
import { rangeSizes, rangeSizing } from '../../dist/src/distributed/range-sizes.js';

describe('rangeSizes', () => {
  const task = 1600;
  const sizing = rangeSizing(task, 100);
  const tailStart = (sizes: number[]) => sizes.findIndex((s) => s % task !== 0);

  it('covers every row once, in ranges that never grow, from the cap down to one batch', () => {
    for (const rows of [1, 99, 100, 1_601, 3_199, 3_200, 20_000, 123_457, 1_000_000]) {
      const sizes = rangeSizes(rows, sizing);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows);
      // The last range also takes a remainder smaller than one batch.
      for (let i = 1; i < sizes.length - 1; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(10 * task);
      if (rows >= 100) expect(Math.min(...sizes)).toBeGreaterThanOrEqual(100);
    }
    expect(rangeSizes(0, sizing)).toEqual([]);
  });

  it('keeps every range whole tasks, at least one, until fewer rows than two tasks are left', () => {
    for (const rows of [3_200, 20_000, 123_457, 1_000_000]) {
      const sizes = rangeSizes(rows, sizing);
      let left = rows;
      for (const size of sizes) {
        if (left >= 2 * task) {
          expect(size % task).toBe(0);
          expect(size).toBeGreaterThanOrEqual(task);
        } else {
          expect(size).toBeLessThan(2 * task);
        }
        left -= size;
      }
    }
  });

  it('gives a 20,000-row pass task-sized ranges, then halves the tail as the plain run halves its last tasks', () => {
    expect(rangeSizes(20_000, sizing)).toEqual([...Array<number>(11).fill(1600), 1200, 600, 300, 200, 100]);
    // A table smaller than two tasks is all tail.
    expect(rangeSizes(1_000, sizing)).toEqual([500, 300, 100, 100]);
  });

  it('gives a big table full ranges, then shares of what is left, and a short tail', () => {
    const sizes = rangeSizes(1_000_000, sizing);
    expect(sizes.filter((s) => s === 16_000).length).toBeGreaterThan(40);
    const tail = sizes.slice(tailStart(sizes));
    expect(tail.reduce((a, b) => a + b, 0)).toBeLessThan(2 * task);
    expect(tail.length).toBeLessThanOrEqual(6);
  });
});
