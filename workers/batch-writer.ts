/**
 * Writes one batch of vectors and commits it, on the worker's own connection: binary COPY into a temp
 * table and one upsert from it, or (for servers without COPY) one upsert over unnest() of text arrays.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { WritePlan } from '../src/target-table.js';
import { encodeStageRows, type StageRow } from './copy-binary.js';

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

  async write(ids: readonly string[], texts: readonly string[], vectors: Float32Array, dimension: number): Promise<void> {
    const rows: StageRow[] = ids.map((id, i) => ({ id, contentHash: contentHash(texts[i]!) }));
    await this.client.query('BEGIN');
    try {
      if (this.plan.method === 'copy') await this.copyAndMerge(rows, vectors, dimension);
      else await this.insert(rows, vectors, dimension);
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async copyAndMerge(rows: StageRow[], vectors: Float32Array, dimension: number): Promise<void> {
    const data = encodeStageRows(rows, vectors, dimension, this.plan.format);
    await pipeline(Readable.from([data]), this.client.query(copyFrom(this.plan.copySql)));
    await this.client.query(this.plan.mergeSql);
  }

  private async insert(rows: StageRow[], vectors: Float32Array, dimension: number): Promise<void> {
    const [open, close] = this.plan.format === 'vector' ? ['[', ']'] : ['{', '}'];
    const embeddings = rows.map((_, i) => open + vectors.subarray(i * dimension, (i + 1) * dimension).join(',') + close);
    await this.client.query(this.plan.insertSql, [rows.map((r) => r.id), embeddings, rows.map((r) => r.contentHash)]);
  }
}
