/**
 * Creating a target when it is missing and checking it when it is not: columns, id type, embedding type
 * and dimension, and the rights to write it, so that a role or table that cannot work is told before
 * any thread starts, not by every batch.
 */
import type pg from 'pg';
import type { ColumnStorage } from './vector-storage.js';
import { DatabaseError } from '../../common/errors.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { ModelInfo } from '../model/model-folder.js';
import type { Statement } from '../db/statement.js';
import type { SourceTable } from '../source/source-table.js';
import {
  addColumnSql,
  columnExistsSql,
  columnTypeSql,
  createSideTableSql,
  columnPrivilegeSql,
  tempPrivilegeSql,
  sideTablePrivilegesSql,
  relationExistsSql,
  storedDimensionSql,
  tableColumnsSql,
} from './target-sql.js';

/** A kind of side table: how it is made, the columns it must have and the rights its writes need. */
export interface SideTableShape {
  create: Statement;
  columns: readonly string[];
  privileges: Statement;
  /** The GRANT that gives them, in the message of a role without them. */
  grant: string;
}

/** The one-row-per-source-row side table `<table>_embeddings`. */
export function rowTableShape(source: SourceTable, qualified: string, wanted: string): SideTableShape {
  return {
    create: createSideTableSql(qualified, source.idType, source.sql, quoteIdentifier(source.idColumn), wanted),
    columns: ['id', 'embedding', 'model', 'content_hash', 'embedded_at'],
    privileges: sideTablePrivilegesSql(qualified),
    grant: `SELECT, INSERT, UPDATE ON ${qualified}`,
  };
}

export async function ensureSideTable(
  client: pg.ClientBase,
  source: SourceTable,
  qualified: string,
  wanted: string,
  model: ModelInfo,
  shape: SideTableShape = rowTableShape(source, qualified, wanted),
): Promise<ColumnStorage> {
  // Only when missing: CREATE ... IF NOT EXISTS wants CREATE on the schema even when the table is there.
  if (!(await exists(client, qualified))) {
    await client.query(shape.create.text).catch((cause: unknown) => {
      throw new DatabaseError(`cannot create target ${qualified}: ${(cause as Error).message}; grant the rights or pass --target`, {
        code: 'TARGET',
        cause,
      });
    });
  }
  const tableColumns = tableColumnsSql(qualified);
  const columns = await client.query<{ name: string; type: string }>(tableColumns.text, tableColumns.values);
  const typeOf = new Map(columns.rows.map((c) => [c.name, c.type]));
  const missing = shape.columns.filter((c) => !typeOf.has(c));
  if (missing.length > 0) {
    throw incompatible(qualified, `has no column ${missing.join(', ')}`);
  }
  const idType = typeOf.get('id')!.replace(/\(.*\)$/, '');
  if (idType !== source.idType) {
    throw incompatible(qualified, `has an id of type ${idType} but ${source.sql} has ${source.idType} ids`);
  }
  await checkWritable(client, shape.privileges, shape.grant);
  const storage = checkEmbeddingType(qualified, typeOf.get('embedding')!, model, wanted);
  if (storage === 'real[]') await checkStoredDimension(client, qualified, 'embedding', model.dimension);
  return storage;
}

async function exists(client: pg.ClientBase, qualified: string): Promise<boolean> {
  const relation = relationExistsSql(qualified);
  return (await client.query(relation.text, relation.values)).rowCount === 1;
}

/** A role that may not write the target is told before any thread starts, not by every batch. */
async function checkWritable(client: pg.ClientBase, check: Statement, grant: string): Promise<void> {
  const result = await client.query<{ ok: boolean }>(check.text, check.values);
  if (!result.rows[0]!.ok) {
    throw new DatabaseError(`no permission to write the embeddings: GRANT ${grant} TO this role`, { code: 'TARGET' });
  }
}

/** The binary COPY stages in a temp table (PGlite, which has no COPY, is refused earlier: db/server-kind.ts). */
export async function checkCopyWrites(client: pg.ClientBase): Promise<void> {
  const { ok, database } = (await client.query<{ ok: boolean; database: string }>(tempPrivilegeSql().text)).rows[0]!;
  if (!ok) {
    throw new DatabaseError(
      `no permission to create the temporary table binary COPY stages in: GRANT TEMP ON DATABASE ${quoteIdentifier(database)} TO this role (or pass --write-method insert)`,
      { code: 'TARGET' },
    );
  }
}

/** real[] keeps no dimension in its type, so one stored row (NOT NULL) tells whether another model filled it. */
async function checkStoredDimension(client: pg.ClientBase, table: string, column: string, dimension: number): Promise<void> {
  const stored = await client.query<{ n: number }>(storedDimensionSql(table, quoteIdentifier(column)).text);
  const found = stored.rows[0]?.n;
  if (found !== undefined && found !== dimension) {
    throw incompatible(table, `holds ${found}-dimension embeddings but the model gives ${dimension}`);
  }
}

export async function ensureColumn(client: pg.ClientBase, source: SourceTable, column: string, wanted: string): Promise<ColumnStorage> {
  const columnExists = columnExistsSql(source.sql, column);
  const present = await client.query(columnExists.text, columnExists.values);
  if (present.rowCount === 0) {
    await client.query(addColumnSql(source.sql, quoteIdentifier(column), wanted).text).catch((cause: unknown) => {
      throw new DatabaseError(`cannot add column ${quoteIdentifier(column)} to ${source.sql}: ${(cause as Error).message}`, {
        code: 'TARGET',
        cause,
      });
    });
  }
  await checkWritable(client, columnPrivilegeSql(source.sql, column), `UPDATE (${quoteIdentifier(column)}) ON ${source.sql}`);
  const columnType = columnTypeSql(source.sql, column);
  const found = await client.query<{ type: string }>(columnType.text, columnType.values);
  const dimension = Number(/^(?:vector|halfvec)\((\d+)\)$/.exec(wanted)?.[1] ?? 0);
  return checkEmbeddingType(`${source.sql}.${quoteIdentifier(column)}`, found.rows[0]!.type, { dimension }, wanted);
}

/** `wanted`: the type a new target gets (vector(dim), halfvec(dim) or real[]); vector and halfvec are part of a target's identity. */
function checkEmbeddingType(where: string, type: string, model: Pick<ModelInfo, 'dimension'>, wanted: string): ColumnStorage {
  if (type === 'real[]') return 'real[]';
  const vector = /^(vector|halfvec)(?:\((\d+)\))?$/.exec(type);
  if (vector) {
    if (vector[2] !== undefined && model.dimension > 0 && Number(vector[2]) !== model.dimension) {
      throw incompatible(where, `holds ${type} but the model gives ${model.dimension} dimensions`);
    }
    const storage = vector[1] as 'vector' | 'halfvec';
    const asked = wanted.replace(/\(.*$/, '');
    if (asked !== storage && asked !== 'real[]') {
      throw new DatabaseError(
        `target ${where} holds ${storage} and --vector-type asks for ${asked}: pass --vector-type ${storage} to go on with it, or --target NEW_TABLE`,
        { code: 'TARGET' },
      );
    }
    return storage;
  }
  throw incompatible(where, `stores embeddings as ${type}, not vector, halfvec or real[]`);
}

function incompatible(where: string, why: string): DatabaseError {
  return new DatabaseError(`target ${where} ${why}; pass --target NEW_TABLE or drop it and run again`, { code: 'TARGET' });
}
