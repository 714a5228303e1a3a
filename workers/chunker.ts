/**
 * A text cut into windows the model reads whole: each at most `tokens` tokens of the model's own
 * tokenizer, counting its special tokens and the document prompt, so no chunk is ever truncated.
 * Consecutive windows share about `overlap` tokens, every character of the text lies in at least one
 * chunk, and a short text is one chunk. How the cuts are chosen: docs/documents.md.
 */
import type { Chunk, ChunkWindow, TokenCounter } from './chunk-types.js';
import { WindowSearch } from './chunk-windows.js';

export type { Chunk, ChunkWindow, TokenCounter } from './chunk-types.js';

/** The fewest tokens of text a window must hold beside the prompt and the special tokens. */
export const MIN_CHUNK_TEXT_TOKENS = 8;

/**
 * The text's chunks in order; the prompt counts in each chunk's length but is not part of its text.
 * An empty text has no chunks; any other text (whitespace alone included) has at least one.
 * The window is expected to have passed checkChunkWindow.
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

/**
 * Why a window cannot work with this model and prompt, as a one-line message for `--chunk`, or undefined
 * when it can. `promptTokens`: the prompt's tokens without special tokens (`countPlain(prompt)`);
 * `specialTokens`: those the tokenizer adds to any text (`count('')`); `maxSequenceLength`: the most
 * tokens the model reads.
 */
export function checkChunkWindow(
  window: ChunkWindow,
  promptTokens: number,
  specialTokens: number,
  maxSequenceLength: number,
): string | undefined {
  const { tokens, overlap } = window;
  if (!Number.isInteger(tokens) || !Number.isInteger(overlap) || tokens < 1 || overlap < 0) {
    return `--chunk takes TOKENS[:OVERLAP], whole numbers with TOKENS above 0, e.g. --chunk 256:32; got ${tokens}:${overlap}`;
  }
  if (tokens > maxSequenceLength) {
    return `--chunk ${tokens} is more tokens than the model reads (${maxSequenceLength}): give at most --chunk ${maxSequenceLength}`;
  }
  const fixed = promptTokens + specialTokens;
  const room = tokens - fixed;
  if (room < MIN_CHUNK_TEXT_TOKENS) {
    const least = Math.min(fixed + MIN_CHUNK_TEXT_TOKENS, maxSequenceLength);
    const fits = fixed + MIN_CHUNK_TEXT_TOKENS <= maxSequenceLength;
    return fits
      ? `--chunk ${tokens} leaves under ${MIN_CHUNK_TEXT_TOKENS} tokens of text beside the prompt (${promptTokens}) and the special tokens (${specialTokens}): give at least --chunk ${least}`
      : `the prompt (${promptTokens} tokens) leaves under ${MIN_CHUNK_TEXT_TOKENS} tokens of text in the model's ${maxSequenceLength}: use a shorter prompt`;
  }
  if (overlap * 2 >= room) {
    return `--chunk ${tokens}:${overlap}: the overlap must be under half of the ${room} tokens of text a window holds, at most ${Math.ceil(room / 2) - 1}`;
  }
  return undefined;
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
