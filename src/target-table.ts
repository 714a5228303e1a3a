/**
 * The output: by default a side table `<table>_embeddings` (id, embedding, model, content_hash,
 * embedded_at), or with --column a column of the source table. This module creates or checks it and
 * writes the SQL that workers run for each batch, so that every identifier is quoted in one place.
 */
import pg from 'pg';
import { DatabaseError } from './errors.js';
import type { ModelInfo } from './model-folder.js';
import type { SourceTable } from './source-table.js';
import { quoteIdentifier, quoteTable, type TableName } from './table-name.js';

export type EmbeddingFormat = 'vector' | 'real[]';
export type WriteMethod = 'copy' | 'insert';

/** Everything a worker needs to write a batch; plain data so it crosses to worker threads. */
export interface WritePlan {
  method: WriteMethod;
  format: EmbeddingFormat;
  /** Stored in the model column of every row. */
  modelLabel: string;
  /** Temp table the binary COPY fills; emptied at each commit. */
  stageDdl: string;
  copySql: string;
  /** Moves the stage into the target; no parameters. */
  mergeSql: string;
  /** One statement over unnest($1 ids, $2 embeddings, $3 content hashes), for servers without COPY. */
  insertSql: string;
}

export interface TargetOptions {
  /** Side table to write (default `<table>_embeddings` in the source's schema). */
  target?: TableName;
  /** Write into this column of the source table instead. */
  column?: string;
  method: WriteMethod;
}

export interface Target {
  /** Quoted, qualified: the side table, or `table.column`. */
  display: string;
  plan: WritePlan;
}

export function modelLabel(model: ModelInfo): string {
  return `${model.name}@${model.fileHash.slice(0, 12)}`;
}

export async function prepareTarget(
  client: pg.ClientBase,
  source: SourceTable,
  model: ModelInfo,
  options: TargetOptions,
): Promise<Target> {
  const hasVector = (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`)).rowCount === 1;
  const wanted = hasVector ? `vector(${model.dimension})` : 'real[]';
  if (options.column !== undefined) {
    const format = await ensureColumn(client, source, options.column, wanted);
    return { display: `${source.sql}.${quoteIdentifier(options.column)}`, plan: columnPlan(source, options, format, model) };
  }
  const target = options.target ?? { name: `${source.table.name}_embeddings` };
  const qualified = quoteTable({ schema: target.schema ?? source.schema, name: target.name });
  const format = await ensureSideTable(client, source, qualified, wanted, model);
  return { display: qualified, plan: sideTablePlan(source, qualified, options, format, model) };
}

async function ensureSideTable(
  client: pg.ClientBase,
  source: SourceTable,
  qualified: string,
  wanted: string,
  model: ModelInfo,
): Promise<EmbeddingFormat> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${qualified} (
       id ${source.idType} PRIMARY KEY REFERENCES ${source.sql} (${quoteIdentifier(source.idColumn)}) ON DELETE CASCADE,
       embedding ${wanted} NOT NULL,
       model text NOT NULL,
       content_hash text NOT NULL,
       embedded_at timestamptz NOT NULL DEFAULT now())`,
  );
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
  return checkEmbeddingType(qualified, typeOf.get('embedding')!, model);
}

async function ensureColumn(
  client: pg.ClientBase,
  source: SourceTable,
  column: string,
  wanted: string,
): Promise<EmbeddingFormat> {
  await client.query(`ALTER TABLE ${source.sql} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column)} ${wanted}`);
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

const stageTable = 'embed_stage';

function stageDdl(format: EmbeddingFormat): string {
  return `CREATE TEMP TABLE IF NOT EXISTS ${stageTable} (id text NOT NULL, embedding ${format === 'vector' ? 'vector' : 'real[]'} NOT NULL, content_hash text NOT NULL) ON COMMIT DELETE ROWS`;
}

const copySql = `COPY ${stageTable} (id, embedding, content_hash) FROM STDIN (FORMAT binary)`;

function sideTablePlan(
  source: SourceTable,
  qualified: string,
  options: TargetOptions,
  format: EmbeddingFormat,
  model: ModelInfo,
): WritePlan {
  // Re-doing a batch after a crash must change nothing, so unchanged rows are not rewritten.
  const upsert = `ON CONFLICT (id) DO UPDATE
       SET embedding = excluded.embedding, model = excluded.model, content_hash = excluded.content_hash, embedded_at = excluded.embedded_at
       WHERE (${qualified}.model, ${qualified}.content_hash) IS DISTINCT FROM (excluded.model, excluded.content_hash)`;
  const cast = format === 'vector' ? 'vector' : 'real[]';
  const label = pg.escapeLiteral(modelLabel(model));
  return {
    method: options.method,
    format,
    modelLabel: modelLabel(model),
    stageDdl: stageDdl(format),
    copySql,
    mergeSql: `INSERT INTO ${qualified} (id, embedding, model, content_hash)
       SELECT id::${source.idType}, embedding, ${label}, content_hash FROM ${stageTable} ${upsert}`,
    insertSql: `INSERT INTO ${qualified} (id, embedding, model, content_hash)
       SELECT u.id::${source.idType}, u.embedding::${cast}, ${label}, u.content_hash
         FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, embedding, content_hash) ${upsert}`,
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
         FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, embedding, content_hash)
        WHERE s.${id} = u.id::${source.idType}`,
  };
}
