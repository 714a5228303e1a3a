/**
 * The vector index a run builds once a pass has completed (`--index`, `--maintenance-work-mem`) and the
 * type of a pgvector target's column (`--vector-type`). Whether the target can take them is known only
 * once the database is reached (src/target/vector-index.ts); here the flags are checked against each other.
 */
import { UsageError } from '../../common/errors.js';

export const indexKinds = ['hnsw', 'ivfflat', 'none'] as const;
export type IndexKind = (typeof indexKinds)[number];

export const vectorTypes = ['vector', 'halfvec'] as const;
export type VectorType = (typeof vectorTypes)[number];

export interface IndexOptions {
  index: IndexKind | undefined;
  maintenanceWorkMem: string | undefined;
  vectorType: VectorType;
}

/** A size as PostgreSQL reads a memory setting: a whole number and a unit (kB, MB, GB, TB). */
export function memorySize(value: string, name: string): string {
  const trimmed = value.trim();
  if (!/^[1-9]\d*(kB|MB|GB|TB)$/.test(trimmed)) {
    throw new UsageError(`${name} must be a size such as 512MB or 2GB (units kB, MB, GB, TB), got ${JSON.stringify(value)}`);
  }
  return trimmed;
}

export function checkIndexOptions(options: IndexOptions): IndexOptions {
  if (options.index === 'none' && options.maintenanceWorkMem !== undefined) {
    throw new UsageError('--maintenance-work-mem sizes the index build, and --index none builds none: drop one of them');
  }
  return options;
}
