/**
 * The worker's connection, kept across server restarts: a write that finds the connection gone
 * reconnects with exponential backoff and jitter (re-creating the temp stage table, which lives and dies
 * with the session) and writes the batch again. Each write is one transaction of upserts, so redoing one
 * whose COMMIT answer was lost changes nothing. Past the last attempt the error goes back to the main
 * thread, whose circuit breaker waits for the database instead.
 */
import pg from 'pg';
import { isConnectionLost } from '../common/batch-failure.js';
import { backoffDelay, sleep, type BackoffOptions } from '../common/backoff.js';
import type { ConnectionConfig } from '../common/connection-config.js';
import type { StageRow } from '../common/stage-row.js';
import type { ChunkStageRow } from '../common/chunk-stage-row.js';
import type { WritePlan } from '../common/write-plan.js';
import { BatchWriter } from './batch-writer.js';
import { OneAtATime } from '../common/one-at-a-time.js';

export interface ReconnectOptions extends BackoffOptions {
  attempts: number;
}

export class ReconnectingWriter {
  private writer: Promise<BatchWriter> | undefined;
  private client: pg.Client | undefined;
  private readonly oneOperationAtATime = new OneAtATime();

  constructor(
    private readonly connection: ConnectionConfig,
    private readonly plan: WritePlan,
    private readonly retry: ReconnectOptions = { attempts: 5, baseMs: 100, maxMs: 2000 },
  ) {}

  write(rows: readonly StageRow[]): Promise<void> {
    return this.withWriter((writer) => writer.write(rows));
  }

  writeChunks(chunks: readonly ChunkStageRow[]): Promise<void> {
    return this.withWriter((writer) => writer.writeChunks(chunks));
  }

  /** See BatchWriter.storedInputs; a read, so repeating it after a reconnect is harmless too. */
  storedInputs(keys: readonly Buffer[]): Promise<Set<string>> {
    return this.withWriter((writer) => writer.storedInputs(keys));
  }

  /**
   * One operation at a time on the one connection: a worker runs two tasks at once, and a lookup or a
   * write sent while the other task's transaction is open would run inside it, see its uncommitted rows
   * and be rolled back with it.
   */
  private withWriter<T>(work: (writer: BatchWriter) => Promise<T>): Promise<T> {
    return this.oneOperationAtATime.inTurn(() => this.attempt(work));
  }

  private async attempt<T>(work: (writer: BatchWriter) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(await this.open());
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        await this.discard();
        if (attempt >= this.retry.attempts) throw error;
        await sleep(backoffDelay(attempt, this.retry));
      }
    }
  }

  private open(): Promise<BatchWriter> {
    this.writer ??= (async () => {
      const client = new pg.Client(this.connection);
      // A dropped connection is reported on the next query; without a listener it would kill the thread.
      client.on('error', () => undefined);
      this.client = client;
      await client.connect();
      return BatchWriter.open(client, this.plan);
    })().catch(async (error: unknown) => {
      await this.discard();
      throw error;
    });
    return this.writer;
  }

  /** Closes the connection, if one is open. */
  close(): Promise<void> {
    return this.discard();
  }

  private async discard(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.writer = undefined;
    await client?.end().catch(() => undefined);
  }
}
