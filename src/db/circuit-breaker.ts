/**
 * The main thread's view of the database: closed while it answers; open from the first lost connection
 * until a probe gets through again. While it is open, no batch is sent to a worker (each would only
 * fail and burn its retries) and the batches already out wait here. If the database stays away longer
 * than the budget, every waiter fails with the give-up error and the run stops with its progress saved.
 */
import { backoffDelay, type BackoffOptions } from '../../common/backoff.js';
import { isConnectionLost } from '../../common/batch-failure.js';

export interface CircuitBreakerOptions {
  /** How long the database may stay unreachable before the run gives up. */
  budgetMs: number;
  /** Resolves once the database answers (a fresh connection and a trivial query). */
  probe: () => Promise<void>;
  /** The error every waiter gets when the budget runs out. */
  giveUp: (waitedMs: number, lastError: unknown) => Error;
  onOpen?: (cause: unknown) => void;
  onClose?: (downMs: number) => void;
  backoff?: BackoffOptions;
}

export interface RetryOptions {
  /** Which errors mean the database went away; by default, a lost connection. */
  isOutage?: (error: unknown) => boolean;
  /** After the breaker trips and before the operation runs again: e.g. drop the dead connection. */
  onOutage?: (error: unknown) => Promise<void> | void;
}

export class CircuitBreaker {
  private outage: Promise<void> | undefined;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get isOpen(): boolean {
    return this.outage !== undefined;
  }

  /** Resolves at once while the database answers; during an outage, once it is back. */
  whenClosed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.outage ?? Promise.resolve();
  }

  /**
   * Runs an operation that may find the database gone: waits while the breaker is open, runs it, and on
   * an outage trips the breaker and runs it again once the database answers, however often; only the
   * budget (or cancel()) ends that wait, with its error. Other errors go through at once.
   */
  async retry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
    const isOutage = options.isOutage ?? isConnectionLost;
    for (;;) {
      await this.whenClosed();
      try {
        return await operation();
      } catch (error) {
        if (!isOutage(error)) throw error;
        this.trip(error);
        await options.onOutage?.(error);
      }
    }
  }

  /** A connection was lost: open (if not open yet) and probe until the database answers or time is up. */
  trip(cause: unknown): void {
    if (this.failure || this.outage) return;
    this.options.onOpen?.(cause);
    const outage = this.probeUntilBack(cause).then(
      () => {
        this.outage = undefined;
      },
      (error: Error) => {
        this.failure ??= error;
        this.outage = undefined;
        throw this.failure;
      },
    );
    // Waiters get the rejection through whenClosed(); this copy must not count as unhandled.
    outage.catch(() => undefined);
    this.outage = outage;
  }

  /** Stops waiting for the database (the user asked to stop): every waiter fails with this error. */
  cancel(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  private async probeUntilBack(cause: unknown): Promise<void> {
    const openedAt = performance.now();
    const backoff = this.options.backoff ?? { baseMs: 250, maxMs: 5000 };
    let lastError = cause;
    for (let attempt = 1; ; attempt++) {
      const waited = performance.now() - openedAt;
      if (waited >= this.options.budgetMs) throw this.options.giveUp(waited, lastError);
      await this.pause(Math.min(backoffDelay(attempt, backoff), this.options.budgetMs - waited));
      if (this.failure) throw this.failure;
      try {
        await this.options.probe();
        this.options.onClose?.(performance.now() - openedAt);
        return;
      } catch (error) {
        lastError = error;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
