/**
 * The output: by default a side table `<table>_embeddings` (id, embedding, model, content_hash,
 * embedded_at, input_hash, and with --metrics the metric columns), with --column a column of the source
 * table, or with --metrics-only a metrics table (metrics-storage.ts). This module creates or checks it and
 * writes the SQL that workers run for each batch, so that every identifier is quoted in one place.
 */
import pg from 'pg';
import { ensureInputHashColumn } from './input-hash-column.js';
import type { MetricsMode } from '../config/metrics-options.js';
import { prepareMetricColumns, prepareMetricsTable, stagedMetrics } from './metrics-storage.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { SourceTable } from '../source/source-table.js';
import { chunkWindowText } from '../../common/chunk-window.js';
import { copySql, stageDdl, stageTable, unnestRows } from '../../common/stage-row.js';
import type { EmbeddingFormat, WriteMethod, WritePlan } from '../../common/write-plan.js';
import { sameTextSql, upsertFromStage, type StagedValue } from './stage-table.js';
import { chunkTablePlan, ensureChunkTable, prepareChunkMetricColumns } from './chunk-table.js';
import { checkCopyWrites, ensureColumn, ensureSideTable } from './target-checks.js';
import { embeddingOrStoredSql, storedInputsSql } from './target-sql.js';
import { quoteIdentifier, quoteTable, type TableName } from '../db/table-name.js';
import type { IndexKind, VectorType } from '../config/index-options.js';
import { resolveIndexKind, wantedStorage, type ColumnStorage } from './vector-storage.js';

export interface TargetOptions {
  /** Side table to write (default `<table>_embeddings` in the source's schema). */
  target?: TableName;
  /** Write into this column of the source table instead. */
  column?: string;
  method: WriteMethod;
  /** Metric columns beside the embeddings, or a metrics table instead of embeddings (default off). */
  metrics?: MetricsMode;
  /** The column type of a new pgvector target (default vector). */
  vectorType?: VectorType;
  /** The index built once a pass completes (undefined: the default for the column, see vector-storage.ts). */
  index?: IndexKind;
}

/** Where the embeddings go, in quoted SQL: a side table, or a column of the source table. */
export type TargetRef = { kind: 'table'; table: string } | { kind: 'column'; table: string; column: string };

/** A target as far as it can be known without touching the database. */
export interface TargetInfo {
  /** Quoted, qualified: the side table, or `table.column`. */
  display: string;
  ref: TargetRef;
  /**
   * SQL condition on a source row aliased `src` that holds unless the target already has it embedded by
   * this model from the same text: the server compares md5 of the text with content_hash (a column
   * target keeps no hash, so there any non-NULL value counts), and the text never leaves the server.
   */
  pendingSql: string;
  /** Removes the embeddings of rows whose text is now NULL or blank (they would never be read again). */
  clearBlankSql: string;
  /** A chunk table (`--chunk`): rows of (id, seq), several per source row. */
  chunked: boolean;
}

export interface Target extends TargetInfo {
  plan: WritePlan;
  /** How the column stores the vectors, and the index it gets once a pass completes (target/vector-index.ts). */
  storage: ColumnStorage;
  index: IndexKind;
}

/** What names a model in a target: name@hash12, then the profile when it is not the default one (no profile: the default). */
export type LabelledModel = Pick<ModelInfo, 'name' | 'fileHash' | 'chunk'> & { profile?: Pick<ModelInfo['profile'], 'mark'> };

/** A chunked job's label names its window too: a target of 256-token chunks is refused to a run of 512 like another model. */
export function modelLabel(model: LabelledModel): string {
  const mark = model.profile?.mark;
  const chunks = model.chunk === undefined ? '' : ` chunks ${chunkWindowText(model.chunk)}`;
  return `${model.name}@${model.fileHash.slice(0, 12)}${mark === undefined ? '' : ` ${mark}`}${chunks}`;
}

export function describeTarget(
  source: SourceTable,
  model: LabelledModel,
  options: Pick<TargetOptions, 'target' | 'column' | 'metrics'>,
): TargetInfo {
  const text = source.textSql('src');
  const blank = `(${text} IS NULL OR ${text}::text ~ '^[[:space:]]*$')`;
  if (options.column !== undefined) {
    const column = quoteIdentifier(options.column);
    return {
      display: `${source.sql}.${column}`,
      ref: { kind: 'column', table: source.sql, column: options.column },
      pendingSql: `src.${column} IS NULL`,
      clearBlankSql: `UPDATE ${source.sql} AS src SET ${column} = NULL WHERE ${column} IS NOT NULL AND ${blank}`,
      chunked: false,
    };
  }
  const chunked = model.chunk !== undefined;
  const suffix = chunked ? '_chunks' : options.metrics === 'only' ? '_metrics' : '_embeddings';
  const target = options.target ?? { name: `${source.table.name}${suffix}` };
  const qualified = quoteTable({ schema: target.schema ?? source.schema, name: target.name });
  // A scalar subquery rather than NOT EXISTS: it cannot be turned into a hash anti-join, so every keyset
  // page stays an index walk in id order with one primary-key probe per row.
  const hash = `md5(convert_to(${text}::text, 'UTF8'))`;
  return {
    display: qualified,
    ref: { kind: 'table', table: qualified },
    // With --metrics, a row embedded without them is not done (found with --refresh). A chunk table's
    // first chunk stands for its row: a row's chunks are written together, all with the row's hash.
    pendingSql: `(SELECT done.model = ${pg.escapeLiteral(modelLabel(model))} AND done.content_hash = ${hash}${
      options.metrics === 'beside' ? (chunked ? ' AND done.row_tokens IS NOT NULL' : ' AND done.token_count IS NOT NULL') : ''
    }
        FROM ${qualified} AS done WHERE done.id = src.${quoteIdentifier(source.idColumn)}${chunked ? ' AND done.seq = 0' : ''}) IS NOT TRUE`,
    clearBlankSql: `DELETE FROM ${qualified} AS done USING ${source.sql} AS src
        WHERE done.id = src.${quoteIdentifier(source.idColumn)} AND ${blank}`,
    chunked,
  };
}

export async function prepareTarget(client: pg.ClientBase, source: SourceTable, model: ModelInfo, options: TargetOptions): Promise<Target> {
  const wantedType = await wantedStorage(client, options.vectorType ?? 'vector');
  const wanted = wantedType === 'real[]' ? 'real[]' : `${wantedType}(${model.dimension})`;
  const info = describeTarget(source, model, options);
  if (options.method === 'copy') await checkCopyWrites(client);
  if (info.ref.kind === 'column') {
    const storage = await ensureColumn(client, source, info.ref.column, wanted);
    const index = resolveIndexKind(options.index, storage, model.dimension, info.display);
    return { ...info, plan: columnPlan(source, options, storage, model), storage, index };
  }
  if (options.metrics === 'only') {
    const plan = await prepareMetricsTable(client, source, info.ref.table, modelLabel(model), options.method);
    return { ...info, plan, storage: 'real[]', index: 'none' };
  }
  if (model.chunk !== undefined) {
    const storage = await ensureChunkTable(client, source, info.ref.table, wanted, model);
    const index = resolveIndexKind(options.index, storage, model.dimension, info.display);
    const measured = await prepareChunkMetricColumns(client, info.ref.table, options.metrics === 'beside');
    const plan = chunkTablePlan(source, info.ref.table, options.method, storage, modelLabel(model), model.chunk, measured);
    return { ...info, plan, storage, index };
  }
  const storage = await ensureSideTable(client, source, info.ref.table, wanted, model);
  const index = resolveIndexKind(options.index, storage, model.dimension, info.display);
  await ensureInputHashColumn(client, info.ref.table);
  const measured = await prepareMetricColumns(client, info.ref.table, options.metrics === 'beside');
  return { ...info, plan: sideTablePlan(source, info.ref.table, options, storage, model, measured), storage, index };
}

/** The stage always holds `vector` (or real[]); a halfvec target's merge casts it. */
const stagedFormat = (storage: ColumnStorage): EmbeddingFormat => (storage === 'real[]' ? 'real[]' : 'vector');

function sideTablePlan(
  source: SourceTable,
  qualified: string,
  options: TargetOptions,
  storage: ColumnStorage,
  model: ModelInfo,
  /** The table has metric columns: kept true to each row's text, even in a run without --metrics. */
  measured: boolean,
): WritePlan {
  const format = stagedFormat(storage);
  const cast = storage;
  const label = modelLabel(model);
  const values: StagedValue[] = [
    ['embedding', (row) => embeddingOrStoredSql(qualified, label, row, cast)],
    ['model', () => pg.escapeLiteral(label)],
    ['content_hash', (row) => `${row}.content_hash`],
    ['input_hash', (row) => `${row}.input_hash`],
    ...(measured ? stagedMetrics : []),
  ];
  return {
    method: options.method,
    format,
    modelLabel: label,
    stageDdl: stageDdl(format),
    copySql,
    ...upsertFromStage(qualified, source, values, 'embedded_at'),
    lookupSql: storedInputsSql(qualified, label),
  };
}

function columnPlan(source: SourceTable, options: TargetOptions, storage: ColumnStorage, model: ModelInfo): WritePlan {
  const column = quoteIdentifier(options.column!);
  const id = quoteIdentifier(source.idColumn);
  const format = stagedFormat(storage);
  const cast = storage;
  return {
    method: options.method,
    format,
    modelLabel: modelLabel(model),
    stageDdl: stageDdl(format),
    copySql,
    // The write guard (see stage-table.ts) on the row being updated itself: a text edited meanwhile keeps
    // the vector it had, and the next pass or look, which sees the edit, embeds it.
    mergeSql: `UPDATE ${source.sql} AS s SET ${column} = st.embedding${storage === 'halfvec' ? '::halfvec' : ''} FROM ${stageTable} st
        WHERE s.${id} = st.id::${source.idType} AND ${sameTextSql(source.textSql('s'), 'st')}`,
    insertSql: `UPDATE ${source.sql} AS s SET ${column} = u.embedding::${cast}
         FROM ${unnestRows}
        WHERE s.${id} = u.id::${source.idType} AND ${sameTextSql(source.textSql('s'), 'u')}`,
  };
}
