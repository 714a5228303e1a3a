/**
 * The key under which a vector is reused: a hash of the word-piece ids the model is given (after
 * truncation). Two texts share a vector only when the model's input is the same, so the key follows each
 * tokenizer's own normalisation: an uncased BERT tokenizer maps "Hello  World" and "hello world" to the
 * same ids and they share one inference, while a cased or SentencePiece model, whose vectors do differ,
 * keeps them apart. A key of the text instead would either miss those duplicates or hand out a vector the
 * model would not have given. SHA-256 cut to 128 bits: no two inputs of a table will ever collide.
 */
import { createHash } from 'node:crypto';

/** The ids as little-endian int32, hashed. */
export function inputKey(ids: readonly number[]): Buffer {
  const bytes = littleEndian ? new Uint8Array(Int32Array.from(ids).buffer) : bigEndianToLittle(ids);
  return createHash('sha256').update(bytes).digest().subarray(0, 16);
}

function bigEndianToLittle(ids: readonly number[]): Buffer {
  const bytes = Buffer.allocUnsafe(ids.length * 4);
  ids.forEach((id, i) => {
    bytes.writeInt32LE(id, i * 4);
  });
  return bytes;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
