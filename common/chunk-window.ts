/**
 * `--chunk TOKENS[:OVERLAP]` as a value: parsed and checked on the main thread, sent to workers in the
 * write plan, written into the model label a chunked target records (so another window is refused like
 * another model) and into the job's identity.
 */
import { UsageError } from './errors.js';

export interface ChunkWindow {
  /** Tokens a chunk may hold, the model's special tokens and the document prompt included. */
  tokens: number;
  /** Tokens consecutive chunks share, about; 0 for none. */
  overlap: number;
}

/** The window as the flag spells it: `256:32`, or `256` without overlap. */
export function chunkWindowText(window: ChunkWindow): string {
  return window.overlap === 0 ? String(window.tokens) : `${window.tokens}:${window.overlap}`;
}

/** `TOKENS[:OVERLAP]`, each a whole number, the overlap smaller than the window. */
export function parseChunkWindow(value: string, name: string): ChunkWindow {
  const match = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(value);
  if (match === null) {
    throw new UsageError(`${name} takes TOKENS or TOKENS:OVERLAP in whole numbers, such as 256:32; got ${JSON.stringify(value)}`);
  }
  const tokens = Number(match[1]);
  const overlap = match[2] === undefined ? 0 : Number(match[2]);
  if (tokens < 1) throw new UsageError(`${name} needs a window of at least 1 token, got ${JSON.stringify(value)}`);
  if (overlap >= tokens) {
    throw new UsageError(
      `${name} overlap (${overlap}) must be smaller than the window (${tokens}) so that each chunk moves on; got ${JSON.stringify(value)}`,
    );
  }
  return { tokens, overlap };
}

/**
 * The window against the model: no chunk may be longer than the model reads, and a window must leave
 * room for text beside the special tokens and the document prompt (`reserved`: their count).
 */
export function checkChunkWindow(window: ChunkWindow, maxSequenceLength: number, reserved = 0, name = '--chunk'): void {
  if (window.tokens > maxSequenceLength) {
    throw new UsageError(
      `${name} ${chunkWindowText(window)} is longer than the model reads (${maxSequenceLength} tokens); pass --chunk ${maxSequenceLength} or less`,
    );
  }
  if (window.tokens - window.overlap <= reserved) {
    throw new UsageError(
      `${name} ${chunkWindowText(window)} leaves no room for text beside the special tokens and the prompt (${reserved} tokens); pass a larger window or a smaller overlap`,
    );
  }
}
