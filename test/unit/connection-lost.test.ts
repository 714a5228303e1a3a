/**
 * The one classification of server errors that the writer, the reader and the planner share: the
 * server ending a session (a paused process's idle transaction, pg_terminate_backend, a shutdown) is a
 * lost connection to reconnect after, never a failed batch or a stop.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { describeFailure, isConnectionLost } from '../../dist/common/batch-failure.js';

/** An error as node-postgres raises it for an ErrorResponse from the server. */
function serverError(code: string, message: string, severity = 'FATAL'): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = severity;
  return error;
}

const context = { target: '"public"."t_embeddings"', lockTimeoutSeconds: 60, statementTimeoutSeconds: 600 };

describe('isConnectionLost', () => {
  it.each([
    ['25P03', 'terminating connection due to idle-in-transaction timeout'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection because of crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['08P01', 'protocol violation'],
  ])('counts SQLSTATE %s (%s) as a lost connection, which a worker reports as one', (code, message) => {
    const error = serverError(code, message);
    expect(isConnectionLost(error)).toBe(true);
    expect(describeFailure(error, context).kind).toBe('connection');
  });

  it.each([
    'Connection terminated unexpectedly',
    'Client has encountered a connection error and is not queryable',
    'terminating connection due to idle-in-transaction timeout',
  ])('counts the message node-postgres gives for a closed socket, "%s"', (message) => {
    expect(isConnectionLost(new Error(message))).toBe(true);
  });

  it('leaves other server errors to the batch or the run', () => {
    expect(isConnectionLost(serverError('23505', 'duplicate key value violates unique constraint', 'ERROR'))).toBe(false);
    expect(describeFailure(serverError('42501', 'permission denied for table t_embeddings', 'ERROR'), context).kind).toBe('fatal');
    expect(describeFailure(serverError('55P03', 'canceling statement due to lock timeout', 'ERROR'), context).kind).toBe('fatal');
  });
});
