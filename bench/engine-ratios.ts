/**
 * The engine's runs against the bare encoder's sorted ceiling: each run set against the ceiling of its
 * own round, measured just before it (these machines' speed drifts by tens of percent within minutes,
 * so a ratio of medians could set a fast round's ceiling against a slow round's run), the steady rate
 * without the start-up, and rows per CPU second.
 */
import type { Throughput } from './encoder-throughput.js';
import type { EngineRun } from './engine-run.js';
import { spread, spreadOrNull, type Spread } from './spread.js';

/** Each round's rate over that round's ceiling, median [min-max]; rounds without a rate (null) are left out. */
export function perRoundRatio(rates: readonly number[], ceilingByRound: readonly Throughput[]): Spread;
export function perRoundRatio(rates: readonly (number | null)[], ceilingByRound: readonly Throughput[]): Spread | null;
export function perRoundRatio(rates: readonly (number | null)[], ceilingByRound: readonly Throughput[]): Spread | null {
  if (rates.length !== ceilingByRound.length) throw new Error(`${rates.length} runs against ${ceilingByRound.length} rounds' ceilings`);
  return spreadOrNull(rates.map((rate, round) => (rate === null ? null : rate / ceilingByRound[round]!.rowsPerSecond)));
}

/**
 * Rows/s without the start-up (pool, model loading, first runs), which a short run pays in full and a
 * long one amortises; null when start-up is most of the run, where the estimate would be noise.
 */
export function steadyRate(run: EngineRun, startupSeconds: number): number | null {
  const working = run.report.elapsedSeconds - startupSeconds;
  return working < run.report.elapsedSeconds / 2 ? null : run.report.rowsEmbedded / working;
}

/** Median rows per CPU second of the engine runs over that of the ceiling's samples. */
export function perCpuRatio(runs: readonly EngineRun[], ceiling: readonly Throughput[]): number | null {
  const engine = runs.map((run) => (run.coresUsed === null ? null : run.report.rowsEmbedded / (run.coresUsed * run.wallSeconds)));
  if (engine.some((rate) => rate === null || !Number.isFinite(rate))) return null;
  const bare = spread(ceiling.map((t) => t.rowsPerSecond / t.coresUsed)).median;
  return spread(engine as number[]).median / bare;
}
