/**
 * The few error classes the engine throws. Only the entry point (src/cli/) turns them into exit codes
 * and one-line messages; everything else throws and lets them travel.
 */
export type ErrorCode = 'USAGE' | 'MODEL' | 'DATABASE' | 'SOURCE' | 'TARGET' | 'STATE' | 'DEVICE' | 'WORKER' | 'INTERRUPTED';

export class EmbedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A flag, argument or environment variable the user can fix: exit code 2. */
export class UsageError extends EmbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** A model folder that is missing, incomplete or unreadable. */
export class ModelError extends EmbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL', message, options);
  }
}

/** The database refused, was unreachable, or holds something the job cannot work with. */
export class DatabaseError extends EmbedError {
  constructor(message: string, options?: { cause?: unknown; code?: 'DATABASE' | 'SOURCE' | 'TARGET' }) {
    super(options?.code ?? 'DATABASE', message, options);
  }
}

/** The state file is locked by another run, corrupt, or belongs to another job. */
export class StateError extends EmbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE', message, options);
  }
}

/** The requested execution provider (CUDA) is not available in this onnxruntime-node build. */
export class DeviceError extends EmbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEVICE', message, options);
  }
}

/** Batches fail for a reason that is not in their rows (every row fails on its own). */
export class WorkerError extends EmbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WORKER', message, options);
  }
}

/** The first line of an error's message, for one-line reports. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}
