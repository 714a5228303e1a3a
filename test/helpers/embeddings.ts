/** Reading stored embeddings back, and the encoder's direct output to compare them with. */
import path from 'node:path';
import type pg from 'pg';
import { Encoder, type EncoderOptions } from '../../dist/workers/encoder.js';
import { encodeTexts } from '../../dist/scripts/encode-texts.js';

export async function storedEmbeddings(client: pg.ClientBase, target: string): Promise<Map<string, number[]>> {
  const result = await client.query<{ id: string; embedding: number[] | string }>(`SELECT id::text AS id, embedding FROM ${target}`);
  return new Map(
    result.rows.map((row) => [row.id, typeof row.embedding === 'string' ? (JSON.parse(row.embedding) as number[]) : row.embedding]),
  );
}

/** The tests' tiny model (global setup's tinyModelDir, or another of its make) on one CPU thread. */
export function tinyEncoderOptions(modelDir: string): EncoderOptions {
  return {
    modelDir,
    onnxFile: path.join(modelDir, 'onnx', 'model.onnx'),
    maxSequenceLength: 128,
    threads: 1,
    device: 'cpu',
    maxBatchTokens: 1024,
  };
}

export async function directEmbeddings(modelDir: string, texts: string[], maxSequenceLength = 128): Promise<Float32Array[]> {
  const encoder = await Encoder.open({ ...tinyEncoderOptions(modelDir), maxSequenceLength, maxBatchTokens: 4096 });
  try {
    const encoded = await encodeTexts(encoder, texts);
    return texts.map((_, i) => encoded.vectors.slice(i * encoded.dimension, (i + 1) * encoded.dimension));
  } finally {
    await encoder.release();
  }
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
