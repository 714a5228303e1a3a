/**
 * Checks that the model loads, in a thread of its own (the main thread never loads the model), before
 * the run touches the target: a run with a corrupt model would otherwise create and claim the target
 * and only then find out, with every worker failing alike.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelCheckAnswer } from '../workers/model-check.js';
import type { EncoderOptions } from '../workers/encoder.js';
import { firstLine } from './batch-failure.js';
import { DeviceError, ModelError } from './errors.js';
import { packageRoot } from './paths.js';

const checkFile = path.join(packageRoot, 'dist', 'workers', 'model-check.js');

export function checkModelLoads(options: EncoderOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(checkFile, { workerData: options });
    const settle = (error?: Error) => {
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.once('message', (answer: ModelCheckAnswer) => {
      if (answer.ok) settle();
      else settle(answer.errorClass === 'DeviceError' ? new DeviceError(answer.message!) : new ModelError(answer.message!));
    });
    worker.once('error', (error) => settle(new ModelError(`cannot load the model: ${firstLine(error)}`, { cause: error })));
    worker.once('exit', (code) => settle(new ModelError(`cannot load the model: its loader thread exited with code ${code}`)));
  });
}
