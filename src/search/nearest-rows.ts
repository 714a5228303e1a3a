/**
 * The k rows nearest a query vector, as the server finds them: the statement for the target's column
 * type (nearest-sql.ts) under the scan settings k needs (index-scan.ts), set for that statement only.
 * A chunked target with an index takes the nearest chunks through it first, as many as hold k rows.
 */
import type pg from 'pg';
import type { SourceTable } from '../source/source-table.js';
import type { TargetInfo } from '../target/target-table.js';
import { columnIndexes, vectorColumn } from '../target/vector-index.js';
import { DEFAULT_EF_SEARCH, indexScanSettings, MAX_EF_SEARCH } from './index-scan.js';
import { setConfigSql } from '../db/db-sql.js';
import { nearestChunkRowsByIndexSql, nearestChunkRowsSql, nearestRowsSql, type VectorFormat } from './nearest-sql.js';
import { withTransaction } from '../../common/transaction.js';

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
  const indexes = format === 'real[]' ? [] : await columnIndexes(client, where.table, where.column);
  // The settings last for the statement only, in its transaction: the client may be the caller's.
  const run = (statement: string, parameters: unknown[], settings: [string, string][]) =>
    withTransaction(client, async () => {
      for (const [name, value] of settings) {
        const setting = setConfigSql(name, value, 'transaction');
        await client.query(setting.text, setting.values);
      }
      return (await client.query<NearestRow>(statement, parameters)).rows;
    });
  if (!(target.chunked && target.ref.kind === 'table'))
    return run(nearestRowsSql(source, target.ref, format), [parameter, k], indexScanSettings(indexes, k));
  const exact = () => run(nearestChunkRowsSql(source, where.table, format), [parameter, k], []);
  if (format === 'real[]' || !indexes.some((index) => index.valid && approximate.has(index.method)) || k > MAX_EF_SEARCH) return exact();
  // Through the index: the nearest chunks, more of them while they hold fewer than k rows, else every chunk.
  for (
    let chunks = Math.min(MAX_EF_SEARCH, Math.max(DEFAULT_EF_SEARCH, CHUNKS_PER_ROW_TAKEN * k));
    ;
    chunks = Math.min(MAX_EF_SEARCH, chunks * 4)
  ) {
    const rows = await run(
      nearestChunkRowsByIndexSql(source, where.table, format),
      [parameter, k, chunks],
      indexScanSettings(indexes, chunks),
    );
    if (rows.length >= k) return rows;
    if (chunks >= MAX_EF_SEARCH) return exact();
  }
}

/** The index methods whose scan of the nearest chunks a chunked search takes first. */
const approximate = new Set(['hnsw', 'ivfflat']);
/** Nearest chunks taken per row wanted, first: a row's chunks are often near each other. */
const CHUNKS_PER_ROW_TAKEN = 4;
