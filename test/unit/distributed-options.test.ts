import { describe, expect, it } from 'vitest';
import { resolveDistributedOptions } from '../../dist/src/cli/distributed-options.js';
import { lease } from '../../dist/src/distributed/lease.js';
import { rangeSizes, rangeSizing } from '../../dist/src/distributed/range-sizes.js';
import { UsageError } from '../../dist/common/errors.js';

describe('resolveDistributedOptions', () => {
  it('is off by default, on with --distributed or EMBED_DISTRIBUTED=1, the flag beating the environment', () => {
    expect(resolveDistributedOptions({}, {})).toEqual({ distributed: false, leaseSeconds: 30 });
    expect(resolveDistributedOptions({ distributed: true }, {})).toEqual({ distributed: true, leaseSeconds: 30 });
    expect(resolveDistributedOptions({}, { EMBED_DISTRIBUTED: '1' }).distributed).toBe(true);
    expect(resolveDistributedOptions({}, { EMBED_DISTRIBUTED: '0' }).distributed).toBe(false);
    expect(resolveDistributedOptions({ distributed: false }, { EMBED_DISTRIBUTED: '1' }).distributed).toBe(false);
    expect(resolveDistributedOptions({ distributed: true, lease: '12' }, {}).leaseSeconds).toBe(12);
  });

  it('refuses bad values and single-host modes in one line', () => {
    expect(() => resolveDistributedOptions({}, { EMBED_DISTRIBUTED: 'yes' })).toThrow(new UsageError('EMBED_DISTRIBUTED must be 1 or 0, got "yes"'));
    expect(() => resolveDistributedOptions({ lease: '10' }, {})).toThrow(/--lease applies to distributed runs/);
    expect(() => resolveDistributedOptions({ distributed: true, lease: '2' }, {})).toThrow(/--lease must be a whole number of seconds from 3 to 3600/);
    expect(() => resolveDistributedOptions({ distributed: true, lease: 'x' }, {})).toThrow(UsageError);
    for (const [flag, name] of [
      [{ restart: true }, '--restart'],
      [{ refresh: true }, '--refresh'],
      [{ retryFailed: true }, '--retry-failed'],
      [{ limit: '5' }, '--limit'],
      [{ metrics: true }, '--metrics'],
    ] as const) {
      expect(() => resolveDistributedOptions({ distributed: true, ...flag }, {})).toThrow(
        new UsageError(`${name} is not available with --distributed: run it on one host without --distributed`),
      );
    }
  });
});

describe('lease', () => {
  it('beats three times per lease and bounds a takeover by lease + maintenance + poll', () => {
    expect(lease(30)).toEqual({ seconds: 30, heartbeatMs: 10_000, maintenanceSeconds: 10, pollMs: 1000, takeoverSeconds: 41 });
    expect(lease(3)).toMatchObject({ heartbeatMs: 1000, maintenanceSeconds: 1, pollMs: 750, takeoverSeconds: 4.75 });
  });
});

describe('rangeSizes', () => {
  const sizing = rangeSizing(1600, 100);

  it('covers every row once, in ranges that shrink from the cap down to one batch', () => {
    for (const rows of [1, 99, 100, 1_601, 20_000, 1_000_000]) {
      const sizes = rangeSizes(rows, sizing);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows);
      // The last range also takes a remainder smaller than one batch.
      for (let i = 1; i < sizes.length - 1; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(16_000);
      // No range below one batch, but for a table smaller than one.
      if (rows >= 100) expect(Math.min(...sizes)).toBeGreaterThanOrEqual(100);
    }
    expect(rangeSizes(0, sizing)).toEqual([]);
  });

  it('gives a big table full ranges and ends every pass with small ones', () => {
    const sizes = rangeSizes(1_000_000, sizing);
    expect(sizes.filter((s) => s === 16_000).length).toBeGreaterThan(40);
    for (const size of sizes.slice(-5)) expect(size).toBeGreaterThanOrEqual(100), expect(size).toBeLessThan(200);
    // Each range takes 1/16 of what is left: the last 16 ranges hold little of the pass.
    expect(sizes.slice(-16).reduce((a, b) => a + b, 0)).toBeLessThan(1_000_000 / 100);
  });
});
