/** The chunker's words (workers/chunker.ts), in a file of their own so its parts can share them. */
import type { ChunkWindow } from '../common/chunk-window.js';

export type { ChunkWindow };

/** How many tokens the model reads for a text; both counts come from the model's own tokenizer. */
export interface TokenCounter {
  /** Tokens of the text as the model reads it: special tokens included. */
  count(text: string): number;
  /** Tokens of the text alone, without special tokens. */
  countPlain(text: string): number;
}

export interface Chunk {
  text: string;
  /** Offsets in code points (as PostgreSQL's substring counts), start inclusive, end exclusive. */
  charStart: number;
  charEnd: number;
  /** Tokens the model reads for this chunk: the prompt, the chunk and the special tokens. */
  tokenCount: number;
}
