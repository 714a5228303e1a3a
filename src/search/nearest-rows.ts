/**
 * The k rows nearest a query vector, as the server finds them: the statement for the target's column
 * type (nearest-sql.ts) under the scan settings k needs (index-scan.ts), set for that statement only.
 */
import type pg from 'pg';
import type { SourceTable } from '../source/source-table.js';
import type { TargetInfo } from '../target/target-table.js';
import { columnIndexes, vectorColumn } from '../target/vector-index.js';
import { indexScanSettings } from './index-scan.js';
import { nearestChunkRowsSql, nearestRowsSql, setLocalSql, type VectorFormat } from './nearest-sql.js';

export interface NearestRow {
  id: string;
  similarity: number | string | null;
  text: string | null;
  /** A chunked target's best chunk of the row: its text and place. */
  chunk?: string;
  seq?: number;
}

export async function nearestRows(
  client: pg.ClientBase,
  source: SourceTable,
  target: Pick<TargetInfo, 'ref' | 'chunked'>,
  format: VectorFormat,
  query: Float32Array,
  k: number,
): Promise<NearestRow[]> {
  const where = vectorColumn(target.ref);
  const values = Array.from(query);
  const parameter = format === 'real[]' ? values : `[${values.join(',')}]`;
  const chunked = target.chunked && target.ref.kind === 'table';
  const settings = format === 'real[]' ? [] : indexScanSettings(await columnIndexes(client, where.table, where.column), k);
  const statement = chunked ? nearestChunkRowsSql(source, where.table, format) : nearestRowsSql(source, target.ref, format);
  return inTransaction(client, async () => {
    for (const [name, value] of settings) await client.query(setLocalSql(), [name, value]);
    return (await client.query<NearestRow>(statement, [parameter, k])).rows;
  });
}

/** The settings last for the statement only: the client may be the caller's. */
async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
