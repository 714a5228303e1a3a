/** Repeated measurements as a median with its min-max, which says how noisy the machine was. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: sorted.length };
}

export function formatSpread(value: Spread, digits = 1): string {
  const main = value.median.toFixed(digits);
  return value.samples === 1 ? main : `${main} [${value.min.toFixed(digits)}-${value.max.toFixed(digits)}]`;
}

/** The spread of the values measured, ignoring the ones that could not be (null). */
export function spreadOrNull(values: readonly (number | null)[]): Spread | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? spread(present) : null;
}

export function maxOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.max(...present) : null;
}
