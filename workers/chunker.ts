/**
 * A text cut into windows the model reads whole: each at most `tokens` tokens of the model's own
 * tokenizer, counting its special tokens and the document prompt, so no chunk is ever truncated.
 * Consecutive windows share about `overlap` tokens, every character of the text lies in at least one
 * chunk, and a short text is one chunk.
 */

/** How many tokens the model reads for a text; both counts come from the model's own tokenizer. */
export interface TokenCounter {
  /** Tokens of the text as the model reads it: special tokens included. */
  count(text: string): number;
  /** Tokens of the text alone, without special tokens. */
  countPlain(text: string): number;
}

/** `--chunk TOKENS[:OVERLAP]`. */
export interface ChunkWindow {
  tokens: number;
  overlap: number;
}

export interface Chunk {
  text: string;
  /** Offsets in code points (as PostgreSQL's substring counts), start inclusive, end exclusive. */
  charStart: number;
  charEnd: number;
  /** Tokens the model reads for this chunk: the prompt, the chunk and the special tokens. */
  tokenCount: number;
}

/** The text's chunks in order; the prompt counts in each chunk's length but is not part of its text. */
export function chunkText(text: string, prompt: string, _window: ChunkWindow, counter: TokenCounter): Chunk[] {
  // Placeholder until the window search lands: the whole text as one chunk.
  const codePoints = [...text].length;
  return [{ text, charStart: 0, charEnd: codePoints, tokenCount: counter.count(prompt + text) }];
}
