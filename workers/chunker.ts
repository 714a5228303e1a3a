/**
 * A text cut into windows the model reads whole: each at most `tokens` tokens of the model's own
 * tokenizer, counting its special tokens and the document prompt, so no chunk is ever truncated.
 * Consecutive windows share about `overlap` tokens, every character of the text lies in at least one
 * chunk, and a short text is one chunk. How the cuts are chosen: docs/documents.md.
 */
import type { Chunk, ChunkWindow, TokenCounter } from './chunk-types.js';
import { WindowSearch } from './chunk-windows.js';

export type { Chunk, ChunkWindow, TokenCounter } from './chunk-types.js';

/**
 * The text's chunks in order; the prompt counts in each chunk's length but is not part of its text.
 * An empty text has no chunks; any other text (whitespace alone included) has at least one.
 * The window is expected to have passed checkChunkWindow (common/chunk-window.ts).
 */
export function chunkText(text: string, prompt: string, window: ChunkWindow, counter: TokenCounter): Chunk[] {
  if (text === '') return [];
  const spans = new WindowSearch(text, prompt, window, counter).spans();
  const starts = new CodePointCursor(text);
  const ends = new CodePointCursor(text);
  return spans.map((span) => ({
    text: text.slice(span.start, span.end),
    charStart: starts.at(span.start),
    charEnd: ends.at(span.end),
    tokenCount: span.tokens,
  }));
}

/** Code points before a UTF-16 offset, for offsets that only grow: one pass over the text in all. */
class CodePointCursor {
  private offset = 0;
  private codePoints = 0;

  constructor(private readonly text: string) {}

  at(offset: number): number {
    while (this.offset < offset) {
      const unit = this.text.charCodeAt(this.offset);
      const pair = unit >= 0xd800 && unit <= 0xdbff && (this.text.charCodeAt(this.offset + 1) & 0xfc00) === 0xdc00;
      this.offset += pair ? 2 : 1;
      this.codePoints++;
    }
    return this.codePoints;
  }
}
