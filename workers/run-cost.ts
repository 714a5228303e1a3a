/**
 * What a session run costs on the machine at hand, for the micro-batch planner (micro-batches.ts): a
 * fixed cost per run plus a cost per padded token, from timed runs of two shapes when the session opens.
 * The runs also warm the session up (its first runs allocate what later runs reuse), so they cost the
 * start-up little. Each run is timed alone on the wall clock and the fastest kept: a run of a few ms is
 * seldom interrupted, so on a shared machine the fastest of a few is one that had its core throughout.
 * A thread's own CPU time, where Linux tells it (schedstat), moves in scheduler ticks of several ms,
 * longer than a small run, so timings of several runs each were needed to read it, at three times the CPU.
 */
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
/** Runs per shape, each timed alone, the fastest kept. */
const runs = { small: 8, large: 3 };

export async function measureRunCost(run: TimedRun): Promise<RunCost> {
  const smallMs = await fastest(run, small, runs.small);
  const largeMs = await fastest(run, large, runs.large);
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

/** Milliseconds of the fastest of `count` runs of the shape. */
async function fastest(run: TimedRun, shape: Shape, count: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const startedAt = performance.now();
    await run(shape.rows, shape.sequenceLength);
    best = Math.min(best, performance.now() - startedAt);
  }
  return best;
}
