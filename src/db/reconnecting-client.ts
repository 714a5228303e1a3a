/**
 * The main thread's connection while a run goes: a query that finds the connection gone trips the circuit
 * breaker, waits for the database to come back, reconnects and runs again. Only reads (pages of rows,
 * the last id) go through it, and a read can be repeated.
 */
import pg from 'pg';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import type { Queryable } from './database.js';

export class ReconnectingClient implements Queryable {
  constructor(
    private client: pg.Client | undefined,
    private readonly config: ConnectionConfig,
    private readonly breaker: CircuitBreaker,
  ) {}

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return await this.breaker.retry(
      async () => {
        const client = await this.connected();
        return await client.query<R>(text, values);
      },
      { onOutage: () => this.end() },
    );
  }

  async end(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connected(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }
}
