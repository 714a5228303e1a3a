/** The process's exit codes, and the one place an error becomes one (used by the entry point, main.ts). */
import { EmbedError, UsageError } from '../../common/errors.js';

export const EXIT = {
  done: 0,
  error: 1,
  usage: 2,
  completedWithFailures: 3,
  interrupted: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof EmbedError && error.code === 'INTERRUPTED') return EXIT.interrupted;
  return EXIT.error;
}
