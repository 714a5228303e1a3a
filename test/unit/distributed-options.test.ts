import { describe, expect, it } from 'vitest';
import { resolveDistributedOptions } from '../../dist/src/config/distributed-options.js';
import { lease } from '../../dist/src/distributed/lease.js';
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
    expect(() => resolveDistributedOptions({}, { EMBED_DISTRIBUTED: 'yes' })).toThrow(
      new UsageError('EMBED_DISTRIBUTED must be 1 or 0, got "yes"'),
    );
    expect(() => resolveDistributedOptions({ lease: '10' }, {})).toThrow(/--lease applies to distributed runs/);
    expect(() => resolveDistributedOptions({ distributed: true, lease: '2' }, {})).toThrow(
      /--lease must be a whole number of seconds from 3 to 3600/,
    );
    expect(() => resolveDistributedOptions({ distributed: true, lease: 'x' }, {})).toThrow(UsageError);
    for (const [flag, name] of [
      [{ restart: true }, '--restart'],
      [{ refresh: true }, '--refresh'],
      [{ rebuildState: true }, '--rebuild-state'],
      [{ limit: '5' }, '--limit'],
      [{ metrics: true }, '--metrics'],
      [{ metricsOnly: true }, '--metrics-only'],
      [{ metricsPort: '9100' }, '--metrics-port'],
    ] as const) {
      expect(() => resolveDistributedOptions({ table: 'notes', distributed: true, ...flag }, {})).toThrow(
        new RegExp(`^${name} is not available with --distributed: .+`),
      );
    }
    expect(() => resolveDistributedOptions({ table: 'notes', distributed: true }, { EMBED_METRICS_PORT: '9100' })).toThrow(
      /^--metrics-port is not available/,
    );
    expect(() => resolveDistributedOptions({ table: 'notes', distributed: true, restart: true }, {})).toThrow(
      /embed notes --restart on one host/,
    );
    expect(() => resolveDistributedOptions({ distributed: true, logFormat: 'json' }, {})).toThrow(
      /^--log-format json is not available with --distributed/,
    );
    // --retry-failed works across hosts.
    expect(resolveDistributedOptions({ distributed: true, retryFailed: true } as never, {}).distributed).toBe(true);
  });
});

describe('lease', () => {
  it('beats three times per lease and bounds a takeover by lease + maintenance + poll', () => {
    expect(lease(30)).toEqual({ seconds: 30, heartbeatMs: 10_000, maintenanceSeconds: 10, pollMs: 1000, takeoverSeconds: 41 });
    expect(lease(3)).toMatchObject({ heartbeatMs: 1000, maintenanceSeconds: 1, pollMs: 750, takeoverSeconds: 4.75 });
  });
});
