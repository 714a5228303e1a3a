/**
 * What a session run costs on the machine at hand, for the micro-batch planner (micro-batches.ts): a
 * fixed cost per run plus a cost per padded token, from timed runs of two shapes when the session opens.
 * The runs also warm the session up (its first runs allocate what later runs reuse), so they cost the
 * start-up little. A run on one intra-op thread computes on the calling thread, so where Linux tells a
 * thread's own CPU time that is what is timed: on a shared machine wall time also counts the time other
 * processes had the core (it made the fixed cost look six times larger on a loaded machine). Each shape is
 * timed a few times and the fastest kept.
 */
import { readFileSync } from 'node:fs';
import { defaultRunCost, type RunCost } from './micro-batches.js';

/** Runs the session once on `rows` rows of `sequenceLength` tokens. */
export type TimedRun = (rows: number, sequenceLength: number) => Promise<void>;

export interface Shape {
  rows: number;
  sequenceLength: number;
}

/** One short row alone, where the fixed cost shows, and a run of a few rows, where the tokens do. */
export const small: Shape = { rows: 1, sequenceLength: 8 };
export const large: Shape = { rows: 8, sequenceLength: 16 };
/** Timings per shape, the fastest kept; runs per timing, so that reading the clock weighs little. */
const timings = 3;
const runsPerTiming = { small: 8, large: 2 };

export async function measureRunCost(run: TimedRun): Promise<RunCost> {
  const smallMs = await fastest(run, small, runsPerTiming.small);
  const largeMs = await fastest(run, large, runsPerTiming.large);
  return runCostFrom({ shape: small, ms: smallMs }, { shape: large, ms: largeMs });
}

/**
 * The line through two timed shapes. A measurement that makes no sense (the larger run no slower, a
 * negative fixed cost: both mean one of the timings was disturbed) gives the default instead of a plan
 * built on noise.
 */
export function runCostFrom(a: { shape: Shape; ms: number }, b: { shape: Shape; ms: number }): RunCost {
  const tokensA = a.shape.rows * a.shape.sequenceLength;
  const tokensB = b.shape.rows * b.shape.sequenceLength;
  const perTokenMs = (b.ms - a.ms) / (tokensB - tokensA);
  const perRunMs = a.ms - perTokenMs * tokensA;
  if (!(perTokenMs > 0) || !(perRunMs >= 0) || !Number.isFinite(perRunMs)) return defaultRunCost;
  return { perRunMs, perTokenMs };
}

/** Milliseconds of one run of the shape: the fastest of a few timings of `runs` runs each. */
async function fastest(run: TimedRun, shape: Shape, runs: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < timings; i++) {
    const startedAt = threadCpuMs() ?? performance.now();
    for (let r = 0; r < runs; r++) await run(shape.rows, shape.sequenceLength);
    best = Math.min(best, ((threadCpuMs() ?? performance.now()) - startedAt) / runs);
  }
  return best;
}

/** CPU time of the calling thread in ms (Linux's schedstat, nanoseconds), or undefined where there is none. */
export function threadCpuMs(): number | undefined {
  if (!hasSchedstat) return undefined;
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

const hasSchedstat = process.platform === 'linux';
