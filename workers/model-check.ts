/**
 * A thread that loads the tokenizer and the ONNX session once, releases them and says whether that
 * worked. The run does this before it touches the target, so a model that cannot load (a corrupt or
 * truncated ONNX file, a broken tokenizer) stops it with one line before anything is written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { firstLine } from '../src/batch-failure.js';
import { Encoder, type EncoderOptions } from './encoder.js';

export interface ModelCheckAnswer {
  ok: boolean;
  message?: string;
  /** ModelError or DeviceError, as the session code threw it. */
  errorClass?: string;
}

let answer: ModelCheckAnswer;
try {
  const encoder = await Encoder.open(workerData as EncoderOptions);
  await encoder.release();
  answer = { ok: true };
} catch (error) {
  answer = { ok: false, message: firstLine(error), errorClass: error instanceof Error ? error.name : undefined };
}
parentPort!.postMessage(answer);
