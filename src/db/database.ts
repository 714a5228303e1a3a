/**
 * Connecting to the user's PostgreSQL: a URL or the libpq PG* variables, and errors that name the host
 * and port but never the password (the driver's messages can quote the URL).
 */
import os from 'node:os';
import pg from 'pg';
import { explainSqlState } from '../../common/batch-failure.js';
import type { ConnectionConfig, SessionLimits } from '../../common/connection-config.js';
import { DatabaseError, firstLine } from '../../common/errors.js';
import { pingSql } from './db-sql.js';

/** libpq's user when none is named: PGUSER, else the operating system's user ($USER may be unset). */
const defaultUser = (env: NodeJS.ProcessEnv = process.env): string => env.PGUSER ?? env.USER ?? os.userInfo().username;

export function connectionConfig(databaseUrl: string | undefined, limits?: SessionLimits): ConnectionConfig {
  return {
    ...(databaseUrl === undefined ? { user: defaultUser() } : { connectionString: withUser(databaseUrl) }),
    connectionTimeoutMillis: 15_000,
    keepAlive: true,
    ...(limits && { lock_timeout: limits.lockTimeoutSeconds * 1000, statement_timeout: limits.statementTimeoutSeconds * 1000 }),
  };
}

/** A URL naming no user gets libpq's default one: node-postgres would otherwise send none without $USER. */
function withUser(databaseUrl: string): string {
  if (process.env.PGUSER !== undefined || process.env.USER !== undefined) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.username !== '' || url.searchParams.has('user')) return databaseUrl;
    url.username = encodeURIComponent(defaultUser());
    return url.toString();
  } catch {
    return databaseUrl;
  }
}

/**
 * A connection to the database a state file recorded for a job (databaseIdentity's host:port/database,
 * which holds no credentials): the user and password come from PGUSER/PGPASSWORD or ~/.pgpass, as for psql.
 */
export function recordedDatabase(identity: string): ConnectionConfig | undefined {
  const parts = /^(.+):(\d+)\/(.+)$/.exec(identity);
  if (!parts) return undefined;
  return { ...connectionConfig(undefined), host: parts[1]!, port: Number(parts[2]), database: parts[3]! };
}

/** What reads need of a connection: pg.Client has it, and so does the reconnecting client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export async function connect(config: ConnectionConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => undefined);
    throw new DatabaseError(`cannot connect to PostgreSQL at ${describeServer(config)}: ${explainConnectFailure(cause, config)}`, {
      cause,
    });
  }
  return client;
}

/**
 * A pool whose every client has an error listener for its whole life. pg-pool listens for errors only
 * on idle clients: a client checked out (inside a transaction, holding a lock) whose session the server
 * ends (a paused process, pg_terminate_backend) would otherwise raise an unhandled 'error' and end the
 * process. With the listener, the next query on it fails instead, and the caller's reconnect handles it.
 */
export function openPool(config: ConnectionConfig, max: number): pg.Pool {
  const pool = new pg.Pool({ ...config, max });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

const WHERE_IT_COMES_FROM = '--database-url (else DATABASE_URL, else the PG* variables)';

/** What a failed connection means and what to check, as psql words it; the driver's own text otherwise. */
export function explainConnectFailure(cause: unknown, config: ConnectionConfig): string {
  const code = (cause as { code?: string } | undefined)?.code;
  const message = redact(cause, config);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused: is the server running on that host and accepting TCP/IP connections on that port? Check ${WHERE_IT_COMES_FROM}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not translate the host name to an address (${code}); check the host in ${WHERE_IT_COMES_FROM}`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to the server or no answer (${code}): is the host up, and does a firewall let its port through?`;
    case 'ENOENT':
      return `no such socket: is the server running locally and accepting connections on that socket? Check ${WHERE_IT_COMES_FROM}`;
    case '28P01':
    case '28000':
      return `${message}; check the user and password in ${WHERE_IT_COMES_FROM} (or PGPASSWORD, ~/.pgpass)`;
    default:
      if (/timeout/i.test(message))
        return `no answer within ${(config.connectionTimeoutMillis ?? 0) / 1000}s: is the host up, and does a firewall let its port through?`;
      return message;
  }
}

/** Resolves once the server accepts a new session and answers; the circuit breaker's probe. */
export async function ping(config: ConnectionConfig): Promise<void> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(pingSql().text);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A server error met on the main thread, worded for the user when it is one of the session limits this
 * tool sets; anything else is returned as it was.
 */
export function explainServerError(error: unknown, limits: SessionLimits): unknown {
  const explained = explainSqlState(error, limits);
  return explained === undefined ? error : new DatabaseError(explained, { cause: error });
}

/** host:port/database, as node-postgres resolves them, without user or password. */
export function describeServer(config: ConnectionConfig, env: NodeJS.ProcessEnv = process.env): string {
  const user = defaultUser(env);
  if (config.host !== undefined) return `${config.host}:${config.port ?? 5432}/${config.database ?? user}`;
  let host = env.PGHOST ?? 'localhost';
  let port = env.PGPORT ?? '5432';
  let database = env.PGDATABASE ?? user;
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      host = url.searchParams.get('host') ?? (decodeURIComponent(url.hostname) || host);
      port = url.port || '5432';
      database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || database;
    } catch {
      return 'the server named by the connection string';
    }
  }
  return `${host}:${port}/${database}`;
}

/** A database identity for the state file: the server and database, never credentials. */
export const databaseIdentity = describeServer;

export function redact(error: unknown, config: ConnectionConfig): string {
  let message = error instanceof Error ? error.message : String(error);
  const secrets = [process.env.PGPASSWORD];
  if (config.connectionString) {
    try {
      secrets.push(decodeURIComponent(new URL(config.connectionString).password));
    } catch {
      // Not a URL (key=value form): nothing to pull out, the whole string is hidden below.
    }
    secrets.push(config.connectionString);
  }
  for (const secret of secrets) if (secret) message = message.split(secret).join('***');
  return firstLine(message);
}
