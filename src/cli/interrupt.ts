/**
 * Ctrl-C and SIGTERM: the first asks the run to stop reading and let the batches in flight commit; a
 * second one exits at once (progress already saved stays saved; the in-flight batches are redone).
 */
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
