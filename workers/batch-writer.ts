/**
 * Writes one batch of vectors and commits it, on the worker's own connection: binary COPY into a temp
 * table and one upsert from it, or (for servers without COPY) one upsert over unnest() of text arrays.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { rowStage, type StageLayout, type StageRow } from '../common/stage-row.js';
import { chunkStage, type ChunkStageRow } from '../common/chunk-stage-row.js';
import type { WritePlan } from '../common/write-plan.js';
import { stopHereInTests } from '../common/test-stop.js';
import { encodeRows } from './copy-binary.js';
import { withTransaction } from '../common/transaction.js';

export function contentHash(text: string): string {
  // md5 of the UTF-8 text: the same value PostgreSQL's md5(text) gives, so a refresh can compare on the server.
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export class BatchWriter {
  private constructor(
    private readonly client: pg.Client,
    private readonly plan: WritePlan,
  ) {}

  /** Creates the stage table outside any transaction, so a rolled-back batch cannot take it away. */
  static async open(client: pg.Client, plan: WritePlan): Promise<BatchWriter> {
    if (plan.method === 'copy') await client.query(plan.stageDdl);
    return new BatchWriter(client, plan);
  }

  /**
   * The input keys (see input-key.ts) whose vector the target already holds, as hex: rows with those
   * keys are written without a vector and the merge copies it. Empty for a target that keeps no keys.
   */
  async storedInputs(keys: readonly Buffer[]): Promise<Set<string>> {
    if (this.plan.lookupSql === undefined || keys.length === 0) return new Set();
    const found = await this.client.query<{ key: Buffer }>(this.plan.lookupSql, [keys]);
    return new Set(found.rows.map((row) => row.key.toString('hex')));
  }

  write(rows: readonly StageRow[]): Promise<void> {
    return this.writeStaged(rowStage, rows);
  }

  /** A chunked target's write: every chunk of the task's rows, each row's chunks replacing its old ones. */
  writeChunks(chunks: readonly ChunkStageRow[]): Promise<void> {
    const lockSql = this.plan.chunk?.lockSql;
    const ids = [...new Set(chunks.map((chunk) => chunk.id))];
    return this.writeStaged(chunkStage, chunks, lockSql === undefined ? undefined : () => this.client.query(lockSql, [ids]));
  }

  private async writeStaged<R>(layout: StageLayout<R>, rows: readonly R[], first?: () => Promise<unknown>): Promise<void> {
    await withTransaction(this.client, async () => {
      await first?.();
      if (this.plan.method === 'copy') await this.copyAndMerge(layout, rows);
      else await this.insert(layout, rows);
      await stopHereInTests('commit');
    });
  }

  private async copyAndMerge<R>(layout: StageLayout<R>, rows: readonly R[]): Promise<void> {
    const data = encodeRows(rows, this.plan.format, layout.columns);
    await pipeline(Readable.from([data]), this.client.query(copyFrom(this.plan.copySql)));
    await this.client.query(this.plan.mergeSql);
  }

  /** The stage's columns as arrays, in the order of unnestRows' parameters. */
  private async insert<R>(layout: StageLayout<R>, rows: readonly R[]): Promise<void> {
    await this.client.query(this.plan.insertSql, layout.unnestArrays(rows, this.plan.format));
  }
}
