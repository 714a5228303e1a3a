/**
 * How one kind of staged value is declared, sent as an unnest() array element and encoded in
 * PostgreSQL's binary COPY format. Binary float4 is exact and skips printing and parsing 384 numbers
 * per row, the main cost of a text COPY.
 */
import type { EmbeddingFormat } from './write-plan.js';

export interface Codec<T> {
  sqlType(format: EmbeddingFormat): string;
  /** The array type of the insert method's parameter. */
  arrayType: string;
  /** Bytes of the value in a binary COPY field, or null for SQL NULL. */
  binarySize(value: T, format: EmbeddingFormat): number | null;
  writeBinary(buffer: Buffer, at: number, value: T, format: EmbeddingFormat): number;
  arrayValue(value: T, format: EmbeddingFormat): unknown;
}

const float4Oid = 700;

export const text: Codec<string> = {
  sqlType: () => 'text',
  arrayType: 'text[]',
  binarySize: (value) => Buffer.byteLength(value, 'utf8'),
  writeBinary: (buffer, at, value) => at + buffer.write(value, at, 'utf8'),
  arrayValue: (value) => value,
};

export const bytea: Codec<Buffer | null> = {
  sqlType: () => 'bytea',
  arrayType: 'bytea[]',
  binarySize: (value) => (value === null ? null : value.length),
  writeBinary: (buffer, at, value) => (value === null ? at : at + value.copy(buffer, at)),
  arrayValue: (value) => value,
};

export const int4: Codec<number> = {
  sqlType: () => 'integer',
  arrayType: 'integer[]',
  binarySize: () => 4,
  writeBinary: (buffer, at, value) => buffer.writeInt32BE(value, at),
  arrayValue: (value) => value,
};

export const bool: Codec<boolean> = {
  sqlType: () => 'boolean',
  arrayType: 'boolean[]',
  binarySize: () => 1,
  writeBinary: (buffer, at, value) => buffer.writeUInt8(value ? 1 : 0, at),
  arrayValue: (value) => value,
};

/** A vector (pgvector) or real[]; sent to unnest() as text, which the target's SQL casts. */
export const embedding: Codec<Float32Array | null> = {
  sqlType: (format) => (format === 'vector' ? 'vector' : 'real[]'),
  arrayType: 'text[]',
  binarySize: (value, format) => (value === null ? null : format === 'vector' ? 4 + 4 * value.length : 20 + 8 * value.length),
  writeBinary: (buffer, at, value, format) =>
    value === null ? at : format === 'vector' ? writeVector(buffer, at, value) : writeFloat4Array(buffer, at, value),
  arrayValue: (value, format) => {
    if (value === null) return null;
    const [open, close] = format === 'vector' ? ['[', ']'] : ['{', '}'];
    return open + value.join(',') + close;
  },
};

/** pgvector's vector_recv: int16 dimensions, int16 unused, then float4 values. */
function writeVector(buffer: Buffer, at: number, vector: Float32Array): number {
  at = buffer.writeInt16BE(vector.length, at);
  at = buffer.writeInt16BE(0, at);
  // The values' bytes copied at once, then turned big-endian in place.
  buffer.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), at);
  const end = at + vector.byteLength;
  if (littleEndian) buffer.subarray(at, end).swap32();
  return end;
}

/** array_recv: ndim, has-nulls flag, element type, then per dimension its length and lower bound. */
function writeFloat4Array(buffer: Buffer, at: number, vector: Float32Array): number {
  at = buffer.writeInt32BE(1, at);
  at = buffer.writeInt32BE(0, at);
  at = buffer.writeInt32BE(float4Oid, at);
  at = buffer.writeInt32BE(vector.length, at);
  at = buffer.writeInt32BE(1, at);
  // A DataView writes big-endian without Buffer's per-call checks.
  const view = new DataView(buffer.buffer, buffer.byteOffset);
  for (let i = 0; i < vector.length; i++) {
    view.setInt32(at, 4);
    view.setFloat32(at + 4, vector[i]!);
    at += 8;
  }
  return at;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
