import { describe, expect, it } from 'vitest';
import { formatSnapshot, nextXid, parseSnapshot } from '../../dist/src/source/pass-snapshot.js';

describe('pass snapshot', () => {
  it('widens the next 32-bit id to 64 bits from the snapshot xmax, across an epoch', () => {
    expect(nextXid(1000n, 1000n)).toBe(1003n);
    // xmax 10 below the wrap, next id 10 above xmax (0 in the 32-bit circle, 3 less than id 3): the next epoch.
    const xmax = 5n * 2n ** 32n + 2n ** 32n - 10n;
    expect(nextXid(xmax, -3n)).toBe(xmax + 10n);
    // age() is a signed 32-bit distance: next id 2^31 + 9 in the 32-bit circle reads as a negative age of 3.
    const high = 2n ** 32n + 2n ** 31n + 5n;
    expect(nextXid(high, 2n ** 31n + 6n - 2n ** 32n)).toBe(high + 4n);
  });

  it('reads back what it wrote, and nothing else', () => {
    const snapshot = {
      xmin: '4294967300',
      next: '4294967310',
      counters: { inserted: '10', updated: '2', deleted: '0', databaseReset: null, serverReset: '2026-12-01 14:19:26+00' },
    };
    expect(parseSnapshot(formatSnapshot(snapshot))).toEqual(snapshot);
    expect(parseSnapshot(formatSnapshot({ xmin: '5', next: '9' }))).toEqual({ xmin: '5', next: '9' });
    expect(parseSnapshot('{"xmin": 5, "next": "9"}')).toBeUndefined();
    expect(parseSnapshot('{"xmin": "5; drop table x", "next": "9"}')).toBeUndefined();
    expect(parseSnapshot('not json')).toBeUndefined();
    expect(parseSnapshot(null)).toBeUndefined();
    // Counters that do not parse are dropped: the run then reads rather than skips.
    expect(parseSnapshot('{"xmin": "5", "next": "9", "counters": {"inserted": "1"}}')).toEqual({ xmin: '5', next: '9' });
  });
});
