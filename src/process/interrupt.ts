/**
 * Ctrl-C and SIGTERM: the first asks the run to stop reading and let the batches in flight commit; a
 * second one exits at once (progress already saved stays saved; the in-flight batches are redone).
 */
import { EmbedError } from '../../common/errors.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import { EXIT } from './exit-codes.js';

export interface InterruptWatch {
  readonly requested: boolean;
  dispose(): void;
}

export function watchInterrupts(onFirst: () => void): InterruptWatch {
  let requested = false;
  const handler = () => {
    if (requested) process.exit(EXIT.interrupted);
    requested = true;
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get requested() {
      return requested;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * The same, for a run whose batches may be waiting for a lost database: the first interrupt also ends
 * that wait (with `why`), which would otherwise last the whole budget.
 */
export function watchRunInterrupts(
  breaker: Pick<CircuitBreaker, 'isOpen' | 'cancel'>,
  why: string,
  onFirst: () => void = () => undefined,
): InterruptWatch {
  return watchInterrupts(() => {
    onFirst();
    if (breaker.isOpen) breaker.cancel(new EmbedError('INTERRUPTED', why));
  });
}
