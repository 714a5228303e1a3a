/**
 * One worker task for a chunked target (`--chunk`): each row's text (the document prompt counted) cut
 * into chunks by the chunker, the chunks of all the task's rows embedded together (the encoder sorts them
 * by length into micro-batches, so one long document fills many), and every chunk written in the task's
 * one transaction, where each row's chunks replace the ones it had. No input keys: a chunk is not
 * looked up among the vectors the target holds.
 */
import { threadId } from 'node:worker_threads';
import type { BatchResult, BatchTask } from '../common/batch-task.js';
import type { ChunkStageRow } from '../common/chunk-stage-row.js';
import { checkChunkWindow, type ChunkWindow } from '../common/chunk-window.js';
import type { ComputeGate } from '../common/compute-gate.js';
import { contentHash } from './batch-writer.js';
import { chunkText } from './chunker.js';
import type { Encoder } from './encoder.js';
import type { ReconnectingWriter } from './reconnecting-writer.js';

export interface ChunkTask {
  encoder: Encoder;
  gate: ComputeGate;
  /** The document prompt: counted in each chunk's window and put before it for the model. */
  prompt: string;
  /** measured: count each row's whole text too (the target keeps tokens per row). */
  window: ChunkWindow & { measured: boolean };
}

export async function embedChunks(
  { encoder, gate, prompt, window }: ChunkTask,
  task: BatchTask,
  writer: ReconnectingWriter,
): Promise<BatchResult> {
  const counter = encoder.counter;
  checkWindowOnce(encoder, window, prompt);
  const { chunks, tokenized, tokenizeMs } = await gate.withPermit(() => {
    const startedAt = performance.now();
    const staged: ChunkStageRow[] = task.ids.flatMap((id, i) => {
      const text = task.texts[i]!;
      const hash = contentHash(text);
      const pieces = chunkText(text, prompt, window, counter);
      const rowTokens = window.measured ? counter.count(prompt + text) : 0;
      return pieces.map((piece, seq) => ({
        id,
        seq,
        chunk: piece.text,
        charStart: piece.charStart,
        charEnd: piece.charEnd,
        tokenCount: piece.tokenCount,
        vector: new Float32Array(0),
        contentHash: hash,
        rowChunks: pieces.length,
        rowTokens,
      }));
    });
    const tokenized = encoder.tokenize(staged.map((chunk) => prompt + chunk.chunk));
    return { chunks: staged, tokenized, tokenizeMs: performance.now() - startedAt };
  });
  const inferenceStartedAt = performance.now();
  const embedded = chunks.length === 0 ? undefined : await gate.withPermit(() => encoder.embedTokenized(tokenized));
  const inferenceMs = performance.now() - inferenceStartedAt;
  if (embedded !== undefined) {
    chunks.forEach((chunk, i) => {
      chunk.vector = embedded.vectors.subarray(i * embedded.dimension, (i + 1) * embedded.dimension);
    });
  }
  const writeStartedAt = performance.now();
  await writer.writeChunks(chunks);
  return {
    seq: task.seq,
    workers: [threadId],
    written: task.ids.length,
    rowsInferred: task.ids.length,
    // A chunk the model could not read whole (a window the chunker let past the model's length).
    truncatedIds: [...new Set(chunks.filter((_, i) => tokenized[i]!.truncated).map((chunk) => chunk.id))],
    realTokens: embedded?.realTokens ?? 0,
    paddedTokens: embedded?.paddedTokens ?? 0,
    tokenizeMs,
    inferenceMs,
    writeMs: performance.now() - writeStartedAt,
  };
}

/** The window and prompt each encoder was checked with: a worker's tasks all carry the same ones. */
const windowsChecked = new WeakMap<Encoder, string>();

/**
 * The main thread checked the window against the model's length; the prompt and special tokens are
 * counted here, two tokenizations done on a worker's first task rather than on every task.
 */
function checkWindowOnce(encoder: Encoder, window: ChunkWindow, prompt: string): void {
  const key = `${window.tokens}:${window.overlap}:${prompt}`;
  if (windowsChecked.get(encoder) === key) return;
  const counter = encoder.counter;
  checkChunkWindow(window, encoder.maxSequenceLength, counter.countPlain(prompt), counter.count(''));
  windowsChecked.set(encoder, key);
}
