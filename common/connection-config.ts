/** The node-postgres client config every session of a run uses, main thread and workers alike. */
export interface ConnectionConfig {
  connectionString?: string;
  /** Without a connection string: the server and database (else the PG* variables), and who connects. */
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** Milliseconds (0: the server's setting); a locked table then ends in an error, not a hang. */
  lock_timeout?: number;
  statement_timeout?: number;
  /** An unreachable host fails after this long instead of the operating system's minutes. */
  connectionTimeoutMillis?: number;
  keepAlive?: boolean;
  /** Names the run's sessions in pg_stat_activity (a URL's own application_name wins). */
  application_name?: string;
  /** Server settings for the session, as `-c name=value` (a URL's own options win). */
  options?: string;
}

/** The lock and statement timeouts every session of a run gets, in seconds (0: the server's setting). */
export interface SessionLimits {
  lockTimeoutSeconds: number;
  statementTimeoutSeconds: number;
}
