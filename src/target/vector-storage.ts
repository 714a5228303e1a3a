/**
 * How a target stores its vectors (vector, halfvec or real[], from pgvector's presence and version and
 * --vector-type) and which index it gets (--index against that storage and the model's dimension).
 */
import type pg from 'pg';
import { UsageError } from '../../common/errors.js';
import type { IndexKind, VectorType } from '../config/index-options.js';
import { pgvectorVersionSql } from './vector-index-sql.js';

/** How the target's column stores its vectors. */
export type ColumnStorage = VectorType | 'real[]';

/** pgvector's hnsw and ivfflat take vectors up to this many dimensions. */
const indexableDimensions: Record<VectorType, number> = { vector: 2000, halfvec: 4000 };

/** The column's type asked for: halfvec needs pgvector 0.7 or later, and pgvector itself. */
export async function wantedStorage(client: pg.ClientBase, vectorType: VectorType): Promise<ColumnStorage> {
  const version = (await client.query<{ version: string }>(pgvectorVersionSql().text)).rows[0]?.version;
  if (version === undefined) {
    if (vectorType === 'halfvec')
      throw new UsageError('--vector-type halfvec needs pgvector 0.7 or later in this database: CREATE EXTENSION vector, or drop the flag');
    return 'real[]';
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (vectorType === 'halfvec' && major === 0 && minor < 7) {
    throw new UsageError(
      `--vector-type halfvec needs pgvector 0.7 or later, and this database has ${version}: ALTER EXTENSION vector UPDATE, or drop the flag`,
    );
  }
  return vectorType;
}

/** The index a target gets: the flag against the column (undefined: hnsw where pgvector can index it, else none). */
export function resolveIndexKind(requested: IndexKind | undefined, storage: ColumnStorage, dimension: number, where: string): IndexKind {
  if (requested === 'none') return 'none';
  if (storage === 'real[]') {
    if (requested === undefined) return 'none';
    throw new UsageError(
      `--index ${requested} needs a pgvector column, and ${where} is real[]: CREATE EXTENSION vector before embedding into a new target, or pass --index none`,
    );
  }
  if (dimension > indexableDimensions[storage]) {
    if (requested === undefined) return 'none';
    throw new UsageError(
      `pgvector indexes ${storage} up to ${indexableDimensions[storage]} dimensions and the model gives ${dimension}: ` +
        `${storage === 'vector' ? 'pass --vector-type halfvec, or ' : ''}pass --index none`,
    );
  }
  return requested ?? 'hnsw';
}
