/**
 * PostgreSQL's binary COPY format for the stage table (id text, embedding, content_hash text). Binary
 * float4 is exact and skips printing and parsing 384 numbers per row, the main cost of a text COPY.
 */
import type { EmbeddingFormat } from '../src/target-table.js';

const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const float4Oid = 700;

export interface StageRow {
  id: string;
  contentHash: string;
}

export function encodeStageRows(
  rows: readonly StageRow[],
  vectors: Float32Array,
  dimension: number,
  format: EmbeddingFormat,
): Buffer {
  const embeddingBytes = format === 'vector' ? 4 + 4 * dimension : 20 + 8 * dimension;
  const chunks: Buffer[] = [];
  const header = Buffer.alloc(signature.length + 8);
  signature.copy(header);
  chunks.push(header);
  rows.forEach((row, index) => {
    const id = Buffer.from(row.id, 'utf8');
    const hash = Buffer.from(row.contentHash, 'utf8');
    const tuple = Buffer.alloc(2 + 4 + id.length + 4 + embeddingBytes + 4 + hash.length);
    let at = tuple.writeInt16BE(3, 0);
    at = tuple.writeInt32BE(id.length, at);
    at += id.copy(tuple, at);
    at = tuple.writeInt32BE(embeddingBytes, at);
    const vector = vectors.subarray(index * dimension, (index + 1) * dimension);
    at = format === 'vector' ? writeVector(tuple, at, vector) : writeFloat4Array(tuple, at, vector);
    at = tuple.writeInt32BE(hash.length, at);
    hash.copy(tuple, at);
    chunks.push(tuple);
  });
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  chunks.push(trailer);
  return Buffer.concat(chunks);
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
