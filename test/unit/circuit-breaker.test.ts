import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../dist/src/db/circuit-breaker.js';

const fastBackoff = { baseMs: 5, maxMs: 20 };
const giveUp = (waitedMs: number, lastError: unknown) =>
  new Error(`gone for ${waitedMs >= 0 ? 'a while' : ''}: ${(lastError as Error).message}`);

describe('CircuitBreaker', () => {
  it('is closed until tripped, then waits for a probe to get through', async () => {
    let up = false;
    let probes = 0;
    const events: string[] = [];
    const breaker = new CircuitBreaker({
      budgetMs: 5000,
      backoff: fastBackoff,
      probe: async () => {
        probes++;
        if (!up) throw new Error('refused');
      },
      giveUp,
      onOpen: () => events.push('open'),
      onClose: () => events.push('close'),
    });
    await breaker.whenClosed();
    breaker.trip(new Error('lost'));
    breaker.trip(new Error('lost again'));
    expect(breaker.isOpen).toBe(true);
    let closed = false;
    const waiting = breaker.whenClosed().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(closed).toBe(false);
    up = true;
    await waiting;
    expect(breaker.isOpen).toBe(false);
    expect(probes).toBeGreaterThan(1);
    expect(events).toEqual(['open', 'close']);
  });

  it('fails every waiter, then and later, once the budget runs out', async () => {
    const breaker = new CircuitBreaker({ budgetMs: 50, backoff: fastBackoff, probe: () => Promise.reject(new Error('refused')), giveUp });
    breaker.trip(new Error('lost'));
    await expect(breaker.whenClosed()).rejects.toThrow(/gone for a while: refused/);
    await expect(breaker.whenClosed()).rejects.toThrow(/gone for a while: refused/);
    breaker.trip(new Error('lost once more'));
    expect(breaker.isOpen).toBe(false);
  });

  it('cancel ends the wait at once with the given error', async () => {
    const breaker = new CircuitBreaker({
      budgetMs: 60_000,
      backoff: { baseMs: 10_000, maxMs: 10_000 },
      probe: () => Promise.reject(new Error('refused')),
      giveUp,
    });
    breaker.trip(new Error('lost'));
    const waiting = breaker.whenClosed();
    const startedAt = Date.now();
    breaker.cancel(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('retry runs an operation again once the database is back after a lost connection, and lets other errors through', async () => {
    let up = true;
    const breaker = new CircuitBreaker({
      budgetMs: 5000,
      backoff: fastBackoff,
      probe: async () => {
        if (!up) throw new Error('refused');
      },
      giveUp,
    });
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    let attempts = 0;
    const outages: unknown[] = [];
    const result = breaker.retry(
      async () => {
        attempts++;
        if (attempts === 1) {
          // Away for a while: the next attempt waits until a probe gets through.
          up = false;
          setTimeout(() => (up = true), 40);
        }
        if (attempts < 3) throw lost;
        return 'answered';
      },
      { onOutage: (error) => void outages.push(error) },
    );
    await expect(result).resolves.toBe('answered');
    expect(attempts).toBe(3);
    expect(outages).toEqual([lost, lost]);
    expect(breaker.isOpen).toBe(false);

    let tries = 0;
    const bad = breaker.retry(async () => {
      tries++;
      throw new Error('syntax error at or near "SELEC"');
    });
    await expect(bad).rejects.toThrow('syntax error');
    expect(tries).toBe(1);
    expect(breaker.isOpen).toBe(false);
  });

  it('retry fails with the give-up error once the database stays away past the budget', async () => {
    const breaker = new CircuitBreaker({ budgetMs: 50, backoff: fastBackoff, probe: () => Promise.reject(new Error('refused')), giveUp });
    const lost = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(breaker.retry(() => Promise.reject(lost))).rejects.toThrow('gone for a while: refused');
  });
});
