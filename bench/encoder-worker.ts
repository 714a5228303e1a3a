/**
 * The piscina worker of the bare-encoder measurements: the engine's own Encoder, one per thread, and no
 * database. It hands back counts and timings only: in the engine the vectors never travel back to the
 * main thread either, they go to the database from the worker.
 */
import { workerData } from 'piscina';
import { Encoder, type EncoderOptions } from '../workers/encoder.js';
import { encodeTexts } from '../scripts/encode-texts.js';

export type EncoderWorkerConfig = Omit<EncoderOptions, 'device'>;

/** Texts to encode, or a barrier that holds each thread until every thread of the pool has one. */
export type EncoderTask = { texts: string[] } | { barrier: Int32Array; parties: number };

export interface EncoderTaskResult {
  rows: number;
  realTokens: number;
  paddedTokens: number;
  tokenizeMs: number;
  inferenceMs: number;
}

const config = workerData as EncoderWorkerConfig;

async function start(): Promise<(task: EncoderTask) => Promise<EncoderTaskResult>> {
  const encoder = await Encoder.open({ ...config, device: 'cpu' });
  // The first runs of a session allocate its buffers; no measurement should pay for that.
  const warmUp = 'A sentence of ordinary length, so that the first runs allocate what later runs will reuse.';
  for (let i = 0; i < 3; i++)
    await encodeTexts(
      encoder,
      Array.from({ length: 16 }, () => warmUp),
    );
  return async (task) => {
    if ('barrier' in task) {
      // Blocking this thread keeps piscina from giving it a second barrier task: every thread gets one,
      // so when they all return, every session is loaded and warm.
      Atomics.add(task.barrier, 0, 1);
      Atomics.notify(task.barrier, 0);
      for (let seen = Atomics.load(task.barrier, 0); seen < task.parties; seen = Atomics.load(task.barrier, 0)) {
        Atomics.wait(task.barrier, 0, seen, 1000);
      }
      return { rows: 0, realTokens: 0, paddedTokens: 0, tokenizeMs: 0, inferenceMs: 0 };
    }
    const encoded = await encodeTexts(encoder, task.texts);
    return {
      rows: task.texts.length,
      realTokens: encoded.realTokens,
      paddedTokens: encoded.paddedTokens,
      tokenizeMs: encoded.tokenizeMs,
      inferenceMs: encoded.inferenceMs,
    };
  };
}

export default start();
