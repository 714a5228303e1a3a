import { describe, expect, it } from 'vitest';
import type { EngineConfigResult } from '../../bench/bench-result.js';
import { checkTargets } from '../../bench/bench-targets.js';
import type { Throughput } from '../../bench/encoder-throughput.js';
import { perRoundRatio } from '../../bench/engine-ratios.js';
import { spread } from '../../bench/spread.js';

const ceiling = (rowsPerSecond: number) => ({ rowsPerSecond }) as Throughput;

describe('the engine against the sorted ceiling, round by round', () => {
  it('sets each run against its own round ceiling, not the medians against each other', () => {
    // A slow round and a fast one: each run is at 0.9 of its round, while the medians would give 1.35 / 1.5.
    const ratio = perRoundRatio([90, 180], [ceiling(100), ceiling(200)]);
    expect(ratio).toEqual({ median: 0.9, min: 0.9, max: 0.9, samples: 2 });
    expect(perRoundRatio([80, 190, 150], [ceiling(100), ceiling(200), ceiling(150)])).toEqual({
      median: 0.95,
      min: 0.8,
      max: 1,
      samples: 3,
    });
  });

  it('leaves out the rounds without a rate, and gives nothing when none has one', () => {
    expect(perRoundRatio([null, 150], [ceiling(100), ceiling(200)])).toEqual({ median: 0.75, min: 0.75, max: 0.75, samples: 1 });
    expect(perRoundRatio([null, null], [ceiling(100), ceiling(200)])).toBeNull();
  });

  it('refuses runs and ceilings of different rounds', () => {
    expect(() => perRoundRatio([90], [ceiling(100), ceiling(200)])).toThrow(/1 runs against 2 rounds/);
  });
});

describe('the targets against the sorted ceiling', () => {
  const engine = (vsSorted: number[], steadyVsSorted: number[] | null): EngineConfigResult =>
    ({
      dtype: 'q8',
      batchSize: 100,
      workers: 2,
      rowsPerSecond: spread([400]),
      vsPlainCeiling: null,
      paddingWaste: 1.01,
      vsSortedCeiling: spread(vsSorted),
      steadyVsSortedCeiling: steadyVsSorted === null ? null : spread(steadyVsSorted),
    }) as EngineConfigResult;
  const target = (checks: ReturnType<typeof checkTargets>, issue: number) =>
    checks.filter((check) => check.issue === issue && check.target.includes('sorted ceiling'));

  it('checks the whole run (issue 8, 0.9) and the steady state (issue 26, 0.95) on the medians of the rounds', () => {
    const checks = checkTargets([engine([0.85, 0.92, 0.91], [0.93, 0.96, 0.97])]);
    expect(target(checks, 8).map((check) => [check.value, check.holds])).toEqual([[0.91, true]]);
    expect(target(checks, 26).map((check) => [check.value, check.holds])).toEqual([[0.96, true]]);
    const short = checkTargets([engine([0.88], [0.94])]);
    expect(target(short, 8)[0]!.holds).toBe(false);
    expect(target(short, 26)[0]!.holds).toBe(false);
  });

  it('has no steady-state target where start-up was most of every run', () => {
    expect(target(checkTargets([engine([0.5], null)]), 26)).toEqual([]);
  });
});
