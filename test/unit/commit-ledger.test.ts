import { describe, expect, it } from 'vitest';
import { CommitLedger } from '../../dist/src/pass/commit-ledger.js';

describe('CommitLedger', () => {
  it('advances the watermark only over an unbroken run of committed batches', () => {
    const ledger = new CommitLedger(null, []);
    const a = ledger.open('10', 10);
    const b = ledger.open('20', 10);
    const c = ledger.open('30', 10);
    ledger.commit(c);
    expect(ledger.currentWatermark).toBeNull();
    expect(ledger.ranges).toEqual([{ after: '20', last: '30' }]);
    ledger.commit(a);
    expect(ledger.currentWatermark).toBe('10');
    expect(ledger.ranges).toEqual([{ after: '20', last: '30' }]);
    ledger.commit(b);
    expect(ledger.currentWatermark).toBe('30');
    expect(ledger.ranges).toEqual([]);
  });

  it('starts the first batch after the resumed watermark and keeps earlier ranges until the end', () => {
    const ledger = new CommitLedger('100', [{ after: '150', last: '200' }]);
    const a = ledger.open('250', 5);
    expect(ledger.commit(a)).toBe(5);
    expect(ledger.currentWatermark).toBe('250');
    expect(ledger.ranges).toEqual([{ after: '150', last: '200' }]);
    ledger.finish('260');
    expect(ledger.ranges).toEqual([]);
    expect(ledger.currentWatermark).toBe('260');
  });

  it('refuses to commit a batch twice', () => {
    const ledger = new CommitLedger(null, []);
    const a = ledger.open('1', 1);
    ledger.commit(a);
    expect(() => ledger.commit(a)).toThrow('batch 0 is not in flight');
  });
});
