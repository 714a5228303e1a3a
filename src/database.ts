/**
 * Connecting to the user's PostgreSQL: a URL or the libpq PG* variables, and errors that name the host
 * and port but never the password (the driver's messages can quote the URL).
 */
import pg from 'pg';
import { DatabaseError } from './errors.js';

export interface ConnectionConfig {
  connectionString?: string;
}

export function connectionConfig(databaseUrl: string | undefined): ConnectionConfig {
  return databaseUrl === undefined ? {} : { connectionString: databaseUrl };
}

export async function connect(config: ConnectionConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => undefined);
    throw new DatabaseError(`cannot connect to PostgreSQL at ${describeServer(config)}: ${redact(cause, config)}`, { cause });
  }
  return client;
}

/** host:port/database, as node-postgres resolves them, without user or password. */
export function describeServer(config: ConnectionConfig, env: NodeJS.ProcessEnv = process.env): string {
  const user = env.PGUSER ?? env.USER ?? 'postgres';
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
  return message.split('\n')[0]!;
}
