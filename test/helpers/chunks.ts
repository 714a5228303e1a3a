/**
 * What a chunk table should hold, computed from the chunker itself (dist/workers/chunker.js) with the
 * model's own tokenizer, so that the expectations hold for whatever windows the chunker cuts; and what a
 * chunk table holds, read back chunk by chunk.
 */
import type pg from 'pg';
import { chunkText, type Chunk } from '../../dist/workers/chunker.js';
import { TextTokenizer } from '../../dist/workers/text-tokenizer.js';
import type { TokenCounter } from '../../dist/workers/chunker.js';

export interface ExpectedChunks {
  counter: TokenCounter;
  /** The chunks the chunker cuts the text into, as a run with this window and prompt stores them. */
  chunksOf(text: string, window: { tokens: number; overlap: number }, prompt?: string): Chunk[];
}

export async function expectedChunks(modelDir: string, maxSequenceLength = 128): Promise<ExpectedChunks> {
  const tokenizer = await TextTokenizer.load(modelDir, maxSequenceLength);
  const counter: TokenCounter = tokenizer;
  return { counter, chunksOf: (text, window, prompt = '') => chunkText(text, prompt, window, counter) };
}

export interface StoredChunk {
  id: string;
  seq: number;
  chunk: string;
  charStart: number;
  charEnd: number;
  tokenCount: number;
  embedding: number[];
  model: string;
  contentHash: string;
}

/** Every chunk of the table, by row id, in seq order. */
export async function storedChunks(client: pg.ClientBase, table: string): Promise<Map<string, StoredChunk[]>> {
  const result = await client.query<Omit<StoredChunk, 'embedding'> & { embedding: number[] | string }>(
    `SELECT id::text AS id, seq, chunk, char_start AS "charStart", char_end AS "charEnd", token_count AS "tokenCount",
            embedding, model, content_hash AS "contentHash"
       FROM ${table} ORDER BY id, seq`,
  );
  const byRow = new Map<string, StoredChunk[]>();
  for (const row of result.rows) {
    const embedding = typeof row.embedding === 'string' ? (JSON.parse(row.embedding) as number[]) : row.embedding;
    byRow.set(row.id, [...(byRow.get(row.id) ?? []), { ...row, embedding }]);
  }
  return byRow;
}

/** The fields a chunker decides, to compare stored chunks with chunkText's. */
export function cut(chunks: readonly (Chunk | StoredChunk)[]): { text: string; charStart: number; charEnd: number; tokenCount: number }[] {
  return chunks.map((c) => ({
    text: 'chunk' in c ? c.chunk : c.text,
    charStart: c.charStart,
    charEnd: c.charEnd,
    tokenCount: c.tokenCount,
  }));
}

/**
 * A text of sentences from `sentence`, the shortest that the chunker cuts into at least `chunks` chunks
 * of the window, or the longest tried when none does (a chunker that keeps texts whole).
 */
export function textWithChunks(
  expected: ExpectedChunks,
  chunks: number,
  window: { tokens: number; overlap: number },
  sentence: (i: number) => string,
): string {
  let text = '';
  for (let i = 0; i < 150; i++) {
    text += `${sentence(i)} `;
    if (expected.chunksOf(text.trim(), window).length >= chunks) break;
  }
  return text.trim();
}
