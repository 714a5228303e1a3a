/**
 * The reference every model-variant test compares with: transformers.js's own feature-extraction
 * pipeline on the same local folder, with its pooling and normalize options.
 */
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';

export type ReferencePooling = 'mean' | 'cls' | 'none';

/** One vector per text, as pipeline('feature-extraction', folder)(text, { pooling, normalize: true }) gives. */
export async function referenceVectors(modelDir: string, texts: readonly string[], pooling: ReferencePooling): Promise<Float32Array[]> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.dirname(modelDir) + path.sep;
  const extractor = await pipeline('feature-extraction', path.basename(modelDir), { dtype: 'fp32', device: 'cpu', local_files_only: true });
  try {
    const vectors: Float32Array[] = [];
    for (const text of texts) vectors.push((await extractor(text, { pooling, normalize: true })).data as Float32Array);
    return vectors;
  } finally {
    await extractor.dispose();
  }
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.NaN;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** The lowest cosine between vectors of the same index (NaN when a length differs, so that it fails). */
export function worstCosine(ours: readonly ArrayLike<number>[], theirs: readonly ArrayLike<number>[]): number {
  if (ours.length !== theirs.length) return Number.NaN;
  return Math.min(...ours.map((vector, i) => cosine(vector, theirs[i]!)));
}
