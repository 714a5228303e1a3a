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
