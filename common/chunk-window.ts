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

/** The fewest tokens of text a window must hold beside the prompt and the special tokens. */
export const MIN_CHUNK_TEXT_TOKENS = 8;

/**
 * Why a window cannot work with this model and prompt, as a one-line message for `--chunk`, or undefined
 * when it can. `promptTokens`: the prompt's tokens without special tokens (`countPlain(prompt)`);
 * `specialTokens`: those the tokenizer adds to any text (`count('')`); `maxSequenceLength`: the most
 * tokens the model reads.
 */
export function chunkWindowProblem(
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

/**
 * The window against the model, thrown as a usage error: the main thread checks it against the model's
 * length before anything is read, and the worker again with the prompt and special tokens counted.
 */
export function checkChunkWindow(window: ChunkWindow, maxSequenceLength: number, promptTokens = 0, specialTokens = 0): void {
  const problem = chunkWindowProblem(window, promptTokens, specialTokens, maxSequenceLength);
  if (problem !== undefined) throw new UsageError(problem);
}
