/**
 * The output: by default a side table `<table>_embeddings` (id, embedding, model, content_hash,
 * embedded_at, input_hash, and with --metrics the metric columns), with --column a column of the source
 * table, or with --metrics-only a metrics table (metrics-storage.ts). This module creates or checks it and
 * writes the SQL that workers run for each batch, so that every identifier is quoted in one place.
 */
import pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import { embeddingOrStoredSql, ensureInputHashColumn, storedInputsSql } from './input-hash-column.js';
import type { MetricsMode } from '../cli/metrics-options.js';
import { prepareMetricColumns, prepareMetricsTable, stagedMetrics } from './metrics-storage.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { SourceTable } from '../source/source-table.js';
import { copySql, stageDdl, stageTable, unnestRows } from '../../common/stage-row.js';
import type { EmbeddingFormat, WriteMethod, WritePlan } from '../../common/write-plan.js';
import { upsertFromStage, type StagedValue } from './stage-table.js';
import { quoteIdentifier, quoteTable, type TableName } from '../db/table-name.js';

export interface TargetOptions {
  /** Side table to write (default `<table>_embeddings` in the source's schema). */
  target?: TableName;
  /** Write into this column of the source table instead. */
  column?: string;
  method: WriteMethod;
  /** Metric columns beside the embeddings, or a metrics table instead of embeddings (default off). */
  metrics?: MetricsMode;
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
}

export interface Target extends TargetInfo {
  plan: WritePlan;
}

export function modelLabel(model: Pick<ModelInfo, 'name' | 'fileHash'>): string {
  return `${model.name}@${model.fileHash.slice(0, 12)}`;
}

export function describeTarget(
  source: SourceTable,
  model: Pick<ModelInfo, 'name' | 'fileHash'>,
  options: Pick<TargetOptions, 'target' | 'column' | 'metrics'>,
): TargetInfo {
  const text = `src.${quoteIdentifier(source.textColumn)}`;
  const blank = `(${text} IS NULL OR ${text}::text ~ '^[[:space:]]*$')`;
  if (options.column !== undefined) {
    const column = quoteIdentifier(options.column);
    return {
      display: `${source.sql}.${column}`,
      ref: { kind: 'column', table: source.sql, column: options.column },
      pendingSql: `src.${column} IS NULL`,
      clearBlankSql: `UPDATE ${source.sql} AS src SET ${column} = NULL WHERE ${column} IS NOT NULL AND ${blank}`,
    };
  }
  const target = options.target ?? { name: `${source.table.name}${options.metrics === 'only' ? '_metrics' : '_embeddings'}` };
  const qualified = quoteTable({ schema: target.schema ?? source.schema, name: target.name });
  // A scalar subquery rather than NOT EXISTS: it cannot be turned into a hash anti-join, so every keyset
  // page stays an index walk in id order with one primary-key probe per row.
  const hash = `md5(convert_to(${text}::text, 'UTF8'))`;
  return {
    display: qualified,
    ref: { kind: 'table', table: qualified },
    // With --metrics, a row embedded without them is not done (found with --refresh).
    pendingSql: `(SELECT done.model = ${pg.escapeLiteral(modelLabel(model))} AND done.content_hash = ${hash}${
      options.metrics === 'beside' ? ' AND done.token_count IS NOT NULL' : ''
    }
        FROM ${qualified} AS done WHERE done.id = src.${quoteIdentifier(source.idColumn)}) IS NOT TRUE`,
    clearBlankSql: `DELETE FROM ${qualified} AS done USING ${source.sql} AS src
        WHERE done.id = src.${quoteIdentifier(source.idColumn)} AND ${blank}`,
  };
}

export async function prepareTarget(
  client: pg.ClientBase,
  source: SourceTable,
  model: ModelInfo,
  options: TargetOptions,
): Promise<Target> {
  const hasVector = (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`)).rowCount === 1;
  const wanted = hasVector ? `vector(${model.dimension})` : 'real[]';
  const info = describeTarget(source, model, options);
  if (options.method === 'copy') {
    // The binary COPY goes through a temp table.
    await checkWritable(client, `has_database_privilege(current_database(), 'TEMP')`, [], 'TEMP ON DATABASE (or pass --write-method insert)');
  }
  if (info.ref.kind === 'column') {
    const format = await ensureColumn(client, source, info.ref.column, wanted);
    return { ...info, plan: columnPlan(source, options, format, model) };
  }
  if (options.metrics === 'only') {
    return { ...info, plan: await prepareMetricsTable(client, source, info.ref.table, modelLabel(model), options.method) };
  }
  const format = await ensureSideTable(client, source, info.ref.table, wanted, model);
  await ensureInputHashColumn(client, info.ref.table);
  const measured = await prepareMetricColumns(client, info.ref.table, options.metrics === 'beside');
  return { ...info, plan: sideTablePlan(source, info.ref.table, options, format, model, measured) };
}

async function ensureSideTable(
  client: pg.ClientBase,
  source: SourceTable,
  qualified: string,
  wanted: string,
  model: ModelInfo,
): Promise<EmbeddingFormat> {
  // Only when missing: CREATE ... IF NOT EXISTS wants CREATE on the schema even when the table is there.
  if (!(await exists(client, qualified))) {
    await client
      .query(
        `CREATE TABLE ${qualified} (
       id ${source.idType} PRIMARY KEY REFERENCES ${source.sql} (${quoteIdentifier(source.idColumn)}) ON DELETE CASCADE,
       embedding ${wanted} NOT NULL,
       model text NOT NULL,
       content_hash text NOT NULL,
       embedded_at timestamptz NOT NULL DEFAULT now())`,
      )
      .catch((cause: unknown) => {
        throw new DatabaseError(`cannot create target ${qualified}: ${(cause as Error).message}; grant the rights or pass --target`, {
          code: 'TARGET',
          cause,
        });
      });
  }
  const columns = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
       FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [qualified],
  );
  const typeOf = new Map(columns.rows.map((c) => [c.name, c.type]));
  const missing = ['id', 'embedding', 'model', 'content_hash', 'embedded_at'].filter((c) => !typeOf.has(c));
  if (missing.length > 0) {
    throw incompatible(qualified, `has no column ${missing.join(', ')}`);
  }
  const idType = typeOf.get('id')!.replace(/\(.*\)$/, '');
  if (idType !== source.idType) {
    throw incompatible(qualified, `has an id of type ${idType} but ${source.sql} has ${source.idType} ids`);
  }
  // One privilege per call: given a list, has_table_privilege answers whether any of them is held.
  const privileges = ['SELECT', 'INSERT', 'UPDATE'].map((p) => `has_table_privilege($1, '${p}')`).join(' AND ');
  await checkWritable(client, privileges, [qualified], `SELECT, INSERT, UPDATE ON ${qualified}`);
  const format = checkEmbeddingType(qualified, typeOf.get('embedding')!, model);
  if (format === 'real[]') await checkStoredDimension(client, qualified, 'embedding', model.dimension);
  return format;
}

async function exists(client: pg.ClientBase, qualified: string): Promise<boolean> {
  return (await client.query(`SELECT 1 WHERE to_regclass($1) IS NOT NULL`, [qualified])).rowCount === 1;
}

/** A role that may not write the target is told before any thread starts, not by every batch. */
async function checkWritable(client: pg.ClientBase, privilegeSql: string, params: unknown[], grant: string): Promise<void> {
  const result = await client.query<{ ok: boolean }>(`SELECT ${privilegeSql} AS ok`, params);
  if (!result.rows[0]!.ok) {
    throw new DatabaseError(`no permission to write the embeddings: GRANT ${grant} TO this role`, { code: 'TARGET' });
  }
}

/** real[] keeps no dimension in its type, so one stored row (NOT NULL) tells whether another model filled it. */
async function checkStoredDimension(client: pg.ClientBase, table: string, column: string, dimension: number): Promise<void> {
  const stored = await client.query<{ n: number }>(
    `SELECT array_length(${quoteIdentifier(column)}, 1) AS n FROM ${table} LIMIT 1`,
  );
  const found = stored.rows[0]?.n;
  if (found !== undefined && found !== dimension) {
    throw incompatible(table, `holds ${found}-dimension embeddings but the model gives ${dimension}`);
  }
}

async function ensureColumn(
  client: pg.ClientBase,
  source: SourceTable,
  column: string,
  wanted: string,
): Promise<EmbeddingFormat> {
  const present = await client.query(`SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`, [
    source.sql,
    column,
  ]);
  if (present.rowCount === 0) {
    await client.query(`ALTER TABLE ${source.sql} ADD COLUMN ${quoteIdentifier(column)} ${wanted}`).catch((cause: unknown) => {
      throw new DatabaseError(`cannot add column ${quoteIdentifier(column)} to ${source.sql}: ${(cause as Error).message}`, { code: 'TARGET', cause });
    });
  }
  await checkWritable(client, `has_column_privilege($1, $2, 'UPDATE')`, [source.sql, column], `UPDATE (${quoteIdentifier(column)}) ON ${source.sql}`);
  const found = await client.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`,
    [source.sql, column],
  );
  const dimension = Number(/^vector\((\d+)\)$/.exec(wanted)?.[1] ?? 0);
  return checkEmbeddingType(`${source.sql}.${quoteIdentifier(column)}`, found.rows[0]!.type, { dimension });
}

function checkEmbeddingType(where: string, type: string, model: Pick<ModelInfo, 'dimension'>): EmbeddingFormat {
  if (type === 'real[]') return 'real[]';
  const vector = /^vector(?:\((\d+)\))?$/.exec(type);
  if (vector) {
    if (vector[1] !== undefined && model.dimension > 0 && Number(vector[1]) !== model.dimension) {
      throw incompatible(where, `holds ${type} but the model gives ${model.dimension} dimensions`);
    }
    return 'vector';
  }
  throw incompatible(where, `stores embeddings as ${type}, not vector or real[]`);
}

function incompatible(where: string, why: string): DatabaseError {
  return new DatabaseError(`target ${where} ${why}; pass --target NEW_TABLE or drop it and run again`, { code: 'TARGET' });
}

function sideTablePlan(
  source: SourceTable,
  qualified: string,
  options: TargetOptions,
  format: EmbeddingFormat,
  model: ModelInfo,
  /** The table has metric columns: kept true to each row's text, even in a run without --metrics. */
  measured: boolean,
): WritePlan {
  const cast = format === 'vector' ? 'vector' : 'real[]';
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
    ...upsertFromStage(qualified, source.idType, values, 'embedded_at'),
    lookupSql: storedInputsSql(qualified, label),
  };
}

function columnPlan(source: SourceTable, options: TargetOptions, format: EmbeddingFormat, model: ModelInfo): WritePlan {
  const column = quoteIdentifier(options.column!);
  const id = quoteIdentifier(source.idColumn);
  const cast = format === 'vector' ? 'vector' : 'real[]';
  return {
    method: options.method,
    format,
    modelLabel: modelLabel(model),
    stageDdl: stageDdl(format),
    copySql,
    mergeSql: `UPDATE ${source.sql} AS s SET ${column} = st.embedding FROM ${stageTable} st
        WHERE s.${id} = st.id::${source.idType}`,
    insertSql: `UPDATE ${source.sql} AS s SET ${column} = u.embedding::${cast}
         FROM ${unnestRows}
        WHERE s.${id} = u.id::${source.idType}`,
  };
}
