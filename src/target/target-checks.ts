/**
 * Creating a target when it is missing and checking it when it is not: columns, id type, embedding type
 * and dimension, and the rights to write it, so that a role or table that cannot work is told before
 * any thread starts, not by every batch.
 */
import type pg from 'pg';
import type { EmbeddingFormat } from '../../common/write-plan.js';
import { DatabaseError } from '../../common/errors.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { SourceTable } from '../source/source-table.js';

export async function ensureSideTable(
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
export async function checkWritable(client: pg.ClientBase, privilegeSql: string, params: unknown[], grant: string): Promise<void> {
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

export async function ensureColumn(
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
