/**
 * What went wrong with a batch, decided where the error is still whole: a pg error loses its SQLSTATE
 * when it crosses from a worker thread, so the worker classifies and words it, and the main thread only
 * acts on the kind: wait for the database, stop the run, or look for the rows at fault.
 */
import { DatabaseError, DeviceError, EmbedError, firstLine, ModelError, UsageError, WorkerError } from './errors.js';
import type { SessionLimits } from './connection-config.js';

/**
 * connection: the database went away; retried once it is back, never counted against the batch.
 * fatal: nothing a retry or another row can fix (no permission, locked target, bad model); the run stops.
 * batch: the batch failed for a reason that may lie in its rows (a constraint, a trigger, the model or
 *   the worker itself); retried, then split to find the rows at fault.
 */
export type FailureKind = 'connection' | 'fatal' | 'batch';

/** A failed batch as a worker reports it: plain data, so that nothing is lost crossing threads. */
export interface WorkerFailure {
  kind: FailureKind;
  message: string;
  /** The EmbedError class to rebuild on the main thread (ModelError, DeviceError), if any. */
  errorClass?: string;
}

/** The database connection was lost or refused; the circuit breaker waits for it to come back. */
export class ConnectionLostError extends DatabaseError {}

/** A batch failed in a way that may be caused by its rows. */
export class BatchFailedError extends Error {
  override name = 'BatchFailedError';
}

// Network errors from Node, and the server ending a session that a new one can take up again:
// admin_shutdown (also pg_terminate_backend), crash_shutdown, cannot_connect_now (starting up or shutting
// down), too_many_connections, and idle_in_transaction_session_timeout (a paused process's session, ended
// after the lease while it was inside a transaction). Class 08 (connection exceptions) is tested apart.
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '25P03',
]);
// node-postgres reports a socket that closed under it with messages rather than codes; a FATAL the
// server sent before closing reaches a later query as "terminating connection ...".
const connectionMessages =
  /Connection terminated|Client was closed and is not queryable|Client has encountered a connection error|timeout expired|Connection ended|terminating connection|server closed the connection unexpectedly/i;

/**
 * The one test of "the connection is gone, a new one can redo the work": the writer, the reader and the
 * planner all ask it.
 */
export function isConnectionLost(error: unknown): boolean {
  if (error instanceof ConnectionLostError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (connectionCodes.has(code) || (sqlstate(error)?.startsWith('08') ?? false))) return true;
  return error instanceof Error && !(error instanceof EmbedError) && connectionMessages.test(error.message);
}

/** The SQLSTATE of an error the server sent, if it is one. */
export function sqlstate(error: unknown): string | undefined {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export interface WriteContext extends SessionLimits {
  /** The target as the user sees it, quoted. */
  target: string;
}

const resume = 'progress is saved; run the same command again to resume';

/**
 * The words for an error that is one of the session limits this tool sets (lock_timeout, 55P03;
 * statement_timeout, 57014), met writing a batch to `writing` or, without it, on the main thread;
 * undefined for any other error.
 */
export function explainSqlState(error: unknown, limits: SessionLimits, writing?: string): string | undefined {
  const code = sqlstate(error);
  if (code === '55P03') {
    const locked = `is locked by another session: no lock within --lock-timeout ${limits.lockTimeoutSeconds}s`;
    return writing === undefined
      ? `a table this run reads or writes ${locked}; run the same command again once the lock is released`
      : `target ${writing} ${locked}; ${resume} once the lock is released`;
  }
  if (code === '57014' && /statement timeout/.test(firstLine(error))) {
    const limit = `--statement-timeout ${limits.statementTimeoutSeconds}s`;
    return writing === undefined
      ? `a query took longer than ${limit}; raise it (0 for no limit) and run the same command again`
      : `writing a batch to ${writing} took longer than ${limit}; use a smaller batch size or raise the timeout; ${resume}`;
  }
  return undefined;
}

/** Runs in the worker: turns whatever a batch threw into a WorkerFailure with a one-line message. */
export function describeFailure(error: unknown, context: WriteContext): WorkerFailure {
  const message = firstLine(error);
  if (error instanceof EmbedError) return { kind: 'fatal', message, errorClass: error.name };
  if (isConnectionLost(error)) return { kind: 'connection', message };
  const code = sqlstate(error);
  if (code === undefined) return { kind: 'batch', message };
  // Data the target rejects (22), a constraint (23), a trigger's RAISE (P0001), a deadlock or
  // serialisation failure (40): a retry or a smaller batch can succeed.
  if (/^(22|23|40|P0)/.test(code)) return { kind: 'batch', message: `${message} (SQLSTATE ${code})` };
  const explained = explainSqlState(error, context, context.target);
  if (explained !== undefined) return { kind: 'fatal', message: explained };
  return { kind: 'fatal', message: `cannot write to ${context.target}: ${message} (SQLSTATE ${code}); ${resume}` };
}

/** Runs on the main thread: the error a WorkerFailure stands for. */
export function failureError(failure: WorkerFailure): Error {
  if (failure.kind === 'connection') return new ConnectionLostError(failure.message);
  if (failure.kind === 'batch') return new BatchFailedError(failure.message);
  if (failure.errorClass === 'UsageError') return new UsageError(failure.message);
  if (failure.errorClass === 'ModelError') return new ModelError(failure.message);
  if (failure.errorClass === 'DeviceError') return new DeviceError(failure.message);
  if (failure.errorClass === 'WorkerError') return new WorkerError(failure.message);
  return new DatabaseError(failure.message, { code: 'TARGET' });
}
