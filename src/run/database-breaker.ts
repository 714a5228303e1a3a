/**
 * The run's circuit breaker on PostgreSQL: it says on stderr when the server goes and comes back, and
 * gives up with a resumable error (host and port, never the password) once the down budget is spent.
 */
import { CircuitBreaker } from './circuit-breaker.js';
import type { EmbedConfig } from '../cli/config.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { describeServer, ping, redact } from '../db/database.js';
import { DatabaseError } from '../../common/errors.js';

export function databaseBreaker(config: EmbedConfig, connection: ConnectionConfig): CircuitBreaker {
  const server = describeServer(connection);
  const say = (line: string) => {
    if (!config.quiet) process.stderr.write(`embed: ${line}\n`);
  };
  return new CircuitBreaker({
    budgetMs: config.dbDownBudgetSeconds * 1000,
    probe: () => ping(connection),
    onOpen: (cause) =>
      say(`lost PostgreSQL at ${server} (${redact(cause, connection)}); waiting up to ${config.dbDownBudgetSeconds}s for it to come back`),
    onClose: (downMs) => say(`PostgreSQL at ${server} is back after ${(downMs / 1000).toFixed(1)}s; going on`),
    giveUp: (waitedMs, lastError) =>
      new DatabaseError(
        `PostgreSQL at ${server} has been unreachable for ${Math.round(waitedMs / 1000)}s (${redact(lastError, connection)}); ` +
          'progress is saved; run the same command again to resume',
      ),
  });
}
