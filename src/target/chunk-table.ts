/**
 * The target of `--chunk`: `<table>_chunks` (or --target), one row per chunk of a source row (id, seq,
 * chunk, char_start, char_end, token_count, embedding, model, content_hash, embedded_at), primary key
 * (id, seq), removed with its source row. content_hash is the md5 of the whole row's text on each of its
 * chunks, so that the pending condition compares a row by its first chunk. With --metrics it also keeps,
 * on each chunk, the row's chunk count and the row's tokens before chunking.
 */
import type pg from 'pg';
import { chunkStage } from '../../common/chunk-stage-row.js';
import type { EmbeddingFormat, WriteMethod, WritePlan } from '../../common/write-plan.js';
import { DatabaseError } from '../../common/errors.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { SourceTable } from '../source/source-table.js';
import {
  chunkCountSql,
  chunkMergeSql,
  chunkRowLocksSql,
  chunkMetricsSummarySql,
  chunkTablePrivilegesSql,
  createChunkTableSql,
  type ChunkWrite,
} from './chunk-sql.js';
import type { Queryable } from '../db/database.js';
import { sameTextSql } from './stage-table.js';
import { ensureSideTable } from './target-checks.js';
import { addColumnsSql, columnNamesSql } from './target-sql.js';
import type { ChunkWindow } from '../../common/chunk-window.js';
import type { ColumnStorage } from './vector-storage.js';

const chunkColumns = ['id', 'seq', 'chunk', 'char_start', 'char_end', 'token_count', 'embedding', 'model', 'content_hash', 'embedded_at'];
const chunkMetricColumns = [
  ['row_chunks', 'integer'],
  ['row_tokens', 'integer'],
] as const;

/** Creates the chunk table when missing, checks it when not; the format its embeddings are stored in. */
export function ensureChunkTable(
  client: pg.ClientBase,
  source: SourceTable,
  qualified: string,
  wanted: string,
  model: ModelInfo,
): Promise<ColumnStorage> {
  return ensureSideTable(client, source, qualified, wanted, model, {
    create: createChunkTableSql(qualified, source.idType, source.sql, quoteIdentifier(source.idColumn), wanted),
    columns: chunkColumns,
    privileges: chunkTablePrivilegesSql(qualified),
    grant: `SELECT, INSERT, UPDATE, DELETE ON ${qualified}`,
  });
}

/** Whether the chunk table keeps the per-row metrics, adding their columns when `add` (--metrics). */
export async function prepareChunkMetricColumns(client: pg.ClientBase, qualified: string, add: boolean): Promise<boolean> {
  const names = columnNamesSql(qualified);
  const present = new Set((await client.query<{ name: string }>(names.text, names.values)).rows.map((row) => row.name));
  const missing = chunkMetricColumns.filter(([column]) => !present.has(column));
  if (missing.length === 0) return true;
  if (!add) return false;
  const additions = missing.map(([column, type]) => `ADD COLUMN IF NOT EXISTS ${column} ${type}`).join(', ');
  await client.query(addColumnsSql(qualified, additions).text).catch((cause: unknown) => {
    throw new DatabaseError(`cannot add the metric columns to ${qualified}: ${(cause as Error).message}`, { code: 'TARGET', cause });
  });
  return true;
}

export function chunkTablePlan(
  source: SourceTable,
  qualified: string,
  method: WriteMethod,
  storage: ColumnStorage,
  /** The model label (target-table.ts modelLabel), which names the window too. */
  label: string,
  window: ChunkWindow,
  /** The table keeps the per-row metrics: kept true to each row's text, even in a run without --metrics. */
  measured: boolean,
): WritePlan {
  // The stage holds vector (or real[]); a halfvec table's merge casts it.
  const format: EmbeddingFormat = storage === 'real[]' ? 'real[]' : 'vector';
  const write: ChunkWrite = {
    qualified,
    source: source.sql,
    idColumn: quoteIdentifier(source.idColumn),
    idType: source.idType,
    sameText: (row, staged) => sameTextSql(source.textSql(row), staged),
    lockable: source.lockable,
    cast: storage,
    label,
    measured,
  };
  return {
    method,
    format,
    modelLabel: label,
    stageDdl: chunkStage.ddl(format),
    copySql: chunkStage.copySql,
    mergeSql: chunkMergeSql(write, 'stage'),
    insertSql: chunkMergeSql(write, 'unnest'),
    chunk: { ...window, measured, lockSql: chunkRowLocksSql(qualified) },
  };
}

/** How many chunks a chunk table holds, and for how many rows. */
export async function countChunks(db: Queryable, qualified: string): Promise<{ chunks: number; rows: number }> {
  const counted = await db.query<{ chunks: number; rows: number }>(chunkCountSql(qualified).text);
  return counted.rows[0]!;
}

export interface ChunkMetrics {
  /** Rows measured: the whole table's, not only this run's. */
  rows: number;
  chunksPerRow: { p50: number; p95: number; max: number } | null;
  /** Tokens of the row's whole text before chunking, special tokens and prompt included. */
  tokensPerRow: { p50: number; p95: number; max: number } | null;
  /** Rows embedded without --metrics: they get metrics with --metrics --refresh. */
  unmeasured: number;
}

/** The distribution of chunks and tokens per row, read from each row's first chunk. */
export async function chunkMetrics(db: Queryable, qualified: string): Promise<ChunkMetrics> {
  type Row = Record<'chunks_p50' | 'chunks_p95' | 'chunks_max' | 'p50' | 'p95' | 'max', number | null> & {
    rows: number;
    unmeasured: number;
  };
  const row = (await db.query<Row>(chunkMetricsSummarySql(qualified).text)).rows[0]!;
  const spread = (p50: number | null, p95: number | null, max: number | null) =>
    p50 === null || p95 === null || max === null ? null : { p50, p95, max };
  return {
    rows: row.rows,
    chunksPerRow: spread(row.chunks_p50, row.chunks_p95, row.chunks_max),
    tokensPerRow: spread(row.p50, row.p95, row.max),
    unmeasured: row.unmeasured,
  };
}
