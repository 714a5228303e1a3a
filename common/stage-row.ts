/**
 * One row of the temp table each worker's batch goes through on its way to the target, described once.
 * The stage's DDL, the COPY column list, the insert method's unnest() signature and arrays, and the binary
 * COPY encoder (workers/copy-binary.ts) all follow a layout's columns, so a new column is one line here (and a
 * field of the row type, which the compiler then asks for). A chunked target stages chunks instead
 * (chunk-stage-row.ts), in a layout made the same way.
 *
 * Besides the vector a row carries what the target may keep of it: the content hash, the key of the
 * model input (see workers/input-key.ts) and the text metrics. The embedding is NULL for a row whose
 * vector the target already holds under the same input key (the merge copies it) and in a metrics-only run.
 */
import { bool, bytea, embedding, int4, text, type Codec } from './stage-codecs.js';
import type { EmbeddingFormat } from './write-plan.js';

export interface StageRow {
  id: string;
  /** This row's vector; null when the target already holds it (the merge copies it) or no model ran. */
  vector: Float32Array | null;
  contentHash: string;
  /** Key of the model input (workers/input-key.ts); null when no model ran. */
  inputKey: Buffer | null;
  tokenCount: number;
  truncated: boolean;
  charCount: number;
  wordCount: number;
}

export interface StageColumn<R = StageRow> {
  key: keyof R;
  name: string;
  notNull: boolean;
  sqlType(format: EmbeddingFormat): string;
  arrayType: string;
  binarySize(row: R, format: EmbeddingFormat): number | null;
  writeBinary(buffer: Buffer, at: number, row: R, format: EmbeddingFormat): number;
  arrayValues(rows: readonly R[], format: EmbeddingFormat): unknown[];
}

/** A column of a stage whose rows are of type R. */
export function stageColumn<R>() {
  return <K extends keyof R>(key: K, name: string, codec: Codec<R[K]>, notNull: boolean): StageColumn<R> & { key: K } => ({
    key,
    name,
    notNull,
    sqlType: codec.sqlType,
    arrayType: codec.arrayType,
    binarySize: (row, format) => codec.binarySize(row[key], format),
    writeBinary: (buffer, at, row, format) => codec.writeBinary(buffer, at, row[key], format),
    arrayValues: (rows, format) => rows.map((row) => codec.arrayValue(row[key], format)),
  });
}

const column = stageColumn<StageRow>();

export const stageColumns = [
  column('id', 'id', text, true),
  column('vector', 'embedding', embedding, false),
  column('contentHash', 'content_hash', text, true),
  column('inputKey', 'input_hash', bytea, false),
  column('tokenCount', 'token_count', int4, true),
  column('truncated', 'truncated', bool, true),
  column('charCount', 'char_count', int4, true),
  column('wordCount', 'word_count', int4, true),
] as const;

// Every field of StageRow has its column: this line stops compiling when one is left out.
const everyFieldStaged: Exclude<keyof StageRow, (typeof stageColumns)[number]['key']> extends never ? true : never = true;
void everyFieldStaged;

/** A stage's temp table and the statements that fill it, from its columns. */
export interface StageLayout<R> {
  table: string;
  columns: readonly StageColumn<R>[];
  ddl(format: EmbeddingFormat): string;
  copySql: string;
  /** The insert method's rows, aliased `u`: one array parameter per stage column, in the columns' order. */
  unnestRows: string;
  /** The parameters of unnestRows for these rows. */
  unnestArrays(rows: readonly R[], format: EmbeddingFormat): unknown[][];
}

export function stageLayout<R>(table: string, columns: readonly StageColumn<R>[]): StageLayout<R> {
  const names = columns.map((c) => c.name).join(', ');
  return {
    table,
    columns,
    ddl: (format) => `CREATE TEMP TABLE IF NOT EXISTS ${table} (
    ${columns.map((c) => `${c.name} ${c.sqlType(format)}${c.notNull ? ' NOT NULL' : ''}`).join(',\n    ')}) ON COMMIT DELETE ROWS`,
    copySql: `COPY ${table} (${names}) FROM STDIN (FORMAT binary)`,
    unnestRows: `unnest(${columns.map((c, i) => `$${i + 1}::${c.arrayType}`).join(', ')})
         AS u(${names})`,
    unnestArrays: (rows, format) => columns.map((c) => c.arrayValues(rows, format)),
  };
}

export const rowStage = stageLayout<StageRow>('embed_stage', stageColumns);

export const stageTable = rowStage.table;

export function stageDdl(format: EmbeddingFormat): string {
  return rowStage.ddl(format);
}

export const copySql = rowStage.copySql;

/** The insert method's rows, aliased `u`: one array parameter per stage column, in stageColumns' order. */
export const unnestRows = rowStage.unnestRows;

/** The parameters of unnestRows for these rows. */
export function unnestArrays(rows: readonly StageRow[], format: EmbeddingFormat): unknown[][] {
  return rowStage.unnestArrays(rows, format);
}
