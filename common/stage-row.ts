/**
 * One row of the temp table each worker's batch goes through on its way to the target, described once.
 * The stage's DDL, the COPY column list, the insert method's unnest() signature and arrays, and the binary
 * COPY encoder (workers/copy-binary.ts) all follow stageColumns, so a new column is one line here (and a
 * field of StageRow, which the compiler then asks for).
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

export interface StageColumn<K extends keyof StageRow = keyof StageRow> {
  key: K;
  name: string;
  notNull: boolean;
  sqlType(format: EmbeddingFormat): string;
  arrayType: string;
  binarySize(row: StageRow, format: EmbeddingFormat): number | null;
  writeBinary(buffer: Buffer, at: number, row: StageRow, format: EmbeddingFormat): number;
  arrayValues(rows: readonly StageRow[], format: EmbeddingFormat): unknown[];
}

function column<K extends keyof StageRow>(key: K, name: string, codec: Codec<StageRow[K]>, notNull: boolean): StageColumn<K> {
  return {
    key,
    name,
    notNull,
    sqlType: codec.sqlType,
    arrayType: codec.arrayType,
    binarySize: (row, format) => codec.binarySize(row[key], format),
    writeBinary: (buffer, at, row, format) => codec.writeBinary(buffer, at, row[key], format),
    arrayValues: (rows, format) => rows.map((row) => codec.arrayValue(row[key], format)),
  };
}

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

export const stageTable = 'embed_stage';

const names = stageColumns.map((c) => c.name).join(', ');

export function stageDdl(format: EmbeddingFormat): string {
  return `CREATE TEMP TABLE IF NOT EXISTS ${stageTable} (
    ${stageColumns.map((c) => `${c.name} ${c.sqlType(format)}${c.notNull ? ' NOT NULL' : ''}`).join(',\n    ')}) ON COMMIT DELETE ROWS`;
}

export const copySql = `COPY ${stageTable} (${names}) FROM STDIN (FORMAT binary)`;

/** The insert method's rows, aliased `u`: one array parameter per stage column, in stageColumns' order. */
export const unnestRows = `unnest(${stageColumns.map((c, i) => `$${i + 1}::${c.arrayType}`).join(', ')})
         AS u(${names})`;

/** The parameters of unnestRows for these rows. */
export function unnestArrays(rows: readonly StageRow[], format: EmbeddingFormat): unknown[][] {
  return stageColumns.map((c) => c.arrayValues(rows, format));
}
