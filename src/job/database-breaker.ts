/**
 * The run's circuit breaker on PostgreSQL: it says when the server goes and comes back (on stderr, or
 * through the event log), and gives up with a resumable error (host and port, never the password) once
 * the down budget is spent.
 */
import { CircuitBreaker } from '../db/circuit-breaker.js';
import type { EmbedConfig } from '../config/config.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { describeServer, ping, redact } from '../db/database.js';
import { DatabaseError } from '../../common/errors.js';
import type { EventLog } from '../observe/event-log.js';

export interface BreakerHooks {
  log?: EventLog;
  /** Told when the database goes (false) and comes back (true). */
  up?: (up: boolean) => void;
  /** Overrides --db-down-budget (a watcher waits as long as it takes unless told otherwise). */
  budgetSeconds?: number;
}

export function databaseBreaker(config: EmbedConfig, connection: ConnectionConfig, hooks: BreakerHooks = {}): CircuitBreaker {
  const server = describeServer(connection);
  const budgetSeconds = hooks.budgetSeconds ?? config.dbDownBudgetSeconds;
  const say = (event: 'database-lost' | 'reconnected', line: string, fields: Record<string, unknown>) => {
    if (hooks.log) hooks.log.event(event, line, fields);
    else if (!config.quiet) process.stderr.write(`embed: ${line}\n`);
  };
  const waitFor = Number.isFinite(budgetSeconds) ? `up to ${budgetSeconds}s` : 'as long as it takes';
  return new CircuitBreaker({
    budgetMs: budgetSeconds * 1000,
    probe: () => ping(connection),
    onOpen: (cause) => {
      hooks.up?.(false);
      say('database-lost', `lost PostgreSQL at ${server} (${redact(cause, connection)}); waiting ${waitFor} for it to come back`, {
        server,
      });
    },
    onClose: (downMs) => {
      hooks.up?.(true);
      say('reconnected', `PostgreSQL at ${server} is back after ${(downMs / 1000).toFixed(1)}s; going on`, {
        server,
        downSeconds: downMs / 1000,
      });
    },
    giveUp: (waitedMs, lastError) =>
      new DatabaseError(
        `PostgreSQL at ${server} has been unreachable for ${Math.round(waitedMs / 1000)}s (${redact(lastError, connection)}); ` +
          'progress is saved; run the same command again to resume',
      ),
  });
}
