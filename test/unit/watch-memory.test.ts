import { describe, expect, it } from 'vitest';
import { rssFigures } from '../../bench/watch-memory.js';

const series = (seconds: number, value: (t: number) => number) =>
  Array.from({ length: seconds + 1 }, (_, t) => ({ mode: 'polling', t, value: value(t) }));

describe('the watch bench memory figures', () => {
  it('marks RSS at the start and at every whole 10 minutes, and gives a steady growth as its slope per 10 minutes', () => {
    // 3 MB a minute for 25 minutes from 400 MB.
    const figures = rssFigures(series(1500, (t) => 400 + (3 * t) / 60));
    expect(figures.marks).toEqual([
      { minute: 0, mb: 400 },
      { minute: 10, mb: 430 },
      { minute: 20, mb: 460 },
    ]);
    expect(figures.slope).toBeCloseTo(30, 6);
    expect(figures.secondHalfSlope).toBeCloseTo(30, 6);
    expect([figures.start, figures.max, figures.end]).toEqual([400, 475, 475]);
  });

  it('tells a warm-up that levels off from a leak: the second half of a plateau has no slope', () => {
    const figures = rssFigures(series(1800, (t) => (t < 300 ? 400 + t / 10 : 430)));
    expect(figures.slope).toBeGreaterThan(0);
    expect(figures.secondHalfSlope).toBeCloseTo(0, 6);
  });

  it('gives no slope for less than a minute of samples', () => {
    expect(rssFigures(series(30, () => 400)).slope).toBeNull();
    expect(rssFigures([]).marks).toEqual([]);
  });
});
