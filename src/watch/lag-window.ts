/** The freshness lags of the last minute, for `embed status` (the histogram of /metrics keeps them all). */
export class LagWindow {
  private samples: { at: number; seconds: number }[] = [];

  constructor(private readonly windowMs = 60_000) {}

  add(seconds: number): void {
    this.samples.push({ at: performance.now(), seconds });
    // Bounded: a minute of lags at most, thinned when rows arrive faster than it needs.
    if (this.samples.length > 20_000) this.samples = this.samples.filter((_, index) => index % 2 === 0);
  }

  summary(): { lagP50: number | null; lagP95: number | null; lagMax: number | null } {
    const since = performance.now() - this.windowMs;
    this.samples = this.samples.filter((sample) => sample.at >= since);
    if (this.samples.length === 0) return { lagP50: null, lagP95: null, lagMax: null };
    const sorted = this.samples.map((sample) => sample.seconds).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { lagP50: at(0.5), lagP95: at(0.95), lagMax: sorted[sorted.length - 1]! };
  }
}
