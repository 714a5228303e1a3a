/**
 * PostgreSQL's binary COPY format for the stage table (see src/stage-table.ts). Binary float4 is exact
 * and skips printing and parsing 384 numbers per row, the main cost of a text COPY.
 */
import type { EmbeddingFormat } from '../src/target/target-table.js';

const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const float4Oid = 700;

/** One row of the stage table, fields in the order of stageColumns. */
export interface StageRow {
  id: string;
  /** This row's vector; null when the target already holds it (the merge copies it) or no model ran. */
  vector: Float32Array | null;
  contentHash: string;
  /** Key of the model input (input-key.ts); null when no model ran. */
  inputKey: Buffer | null;
  tokenCount: number;
  truncated: boolean;
  charCount: number;
  wordCount: number;
}

export function encodeStageRows(rows: readonly StageRow[], format: EmbeddingFormat): Buffer {
  const chunks: Buffer[] = [];
  const header = Buffer.alloc(signature.length + 8);
  signature.copy(header);
  chunks.push(header);
  for (const row of rows) {
    const id = Buffer.from(row.id, 'utf8');
    const hash = Buffer.from(row.contentHash, 'utf8');
    const dimension = row.vector?.length ?? 0;
    const embeddingBytes = row.vector === null ? 0 : format === 'vector' ? 4 + 4 * dimension : 20 + 8 * dimension;
    const keyBytes = row.inputKey?.length ?? 0;
    // Field count, then per field its length (-1 for NULL) and bytes; int4 fields take 4, bool 1.
    const tuple = Buffer.alloc(2 + 8 * 4 + id.length + embeddingBytes + hash.length + keyBytes + 3 * 4 + 1);
    let at = tuple.writeInt16BE(8, 0);
    at = bytesField(tuple, at, id);
    if (row.vector === null) {
      at = tuple.writeInt32BE(-1, at);
    } else {
      at = tuple.writeInt32BE(embeddingBytes, at);
      at = format === 'vector' ? writeVector(tuple, at, row.vector) : writeFloat4Array(tuple, at, row.vector);
    }
    at = bytesField(tuple, at, hash);
    at = row.inputKey === null ? tuple.writeInt32BE(-1, at) : bytesField(tuple, at, row.inputKey);
    at = int4Field(tuple, at, row.tokenCount);
    at = tuple.writeInt32BE(1, at);
    at = tuple.writeUInt8(row.truncated ? 1 : 0, at);
    at = int4Field(tuple, at, row.charCount);
    int4Field(tuple, at, row.wordCount);
    chunks.push(tuple);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}

function bytesField(buffer: Buffer, at: number, bytes: Buffer): number {
  at = buffer.writeInt32BE(bytes.length, at);
  return at + bytes.copy(buffer, at);
}

function int4Field(buffer: Buffer, at: number, value: number): number {
  at = buffer.writeInt32BE(4, at);
  return buffer.writeInt32BE(value, at);
}

/** pgvector's vector_recv: int16 dimensions, int16 unused, then float4 values. */
function writeVector(buffer: Buffer, at: number, vector: Float32Array): number {
  at = buffer.writeInt16BE(vector.length, at);
  at = buffer.writeInt16BE(0, at);
  for (const value of vector) at = buffer.writeFloatBE(value, at);
  return at;
}

/** array_recv: ndim, has-nulls flag, element type, then per dimension its length and lower bound. */
function writeFloat4Array(buffer: Buffer, at: number, vector: Float32Array): number {
  at = buffer.writeInt32BE(1, at);
  at = buffer.writeInt32BE(0, at);
  at = buffer.writeInt32BE(float4Oid, at);
  at = buffer.writeInt32BE(vector.length, at);
  at = buffer.writeInt32BE(1, at);
  for (const value of vector) {
    at = buffer.writeInt32BE(4, at);
    at = buffer.writeFloatBE(value, at);
  }
  return at;
}
