/**
 * The piscina worker: loads the model once, holds its own Postgres connection, and for each batch
 * embeds the texts, writes them and commits before reporting back. A batch that fails comes back as a
 * described failure rather than a thrown error: errors lose their class and SQLSTATE crossing threads,
 * and the main thread needs both to decide between waiting, stopping and splitting.
 *
 * The first workers to start load the model at once, as many as may compute at the same time; a worker
 * beyond those loads it only if it ever gets a task (tasks are packed onto as few workers as can compute,
 * so on 2 cores `--workers 8` loads two models, not eight). A model that cannot load becomes the answer
 * to every task instead of an unhandled rejection.
 */
import { workerData } from 'piscina';
import { describeFailure, type WorkerFailure } from '../common/batch-failure.js';
import { workerConfigFrom, type WorkerAnswer, type WorkerRequest } from '../common/batch-task.js';
import { EmbedError, firstLine } from '../common/errors.js';
import { explainNativeModuleMismatch } from '../common/native-module.js';
import type { BatchEmbedder } from './batch-embedder.js';
import { arriveAndWait } from '../common/close-barrier.js';
import { ReconnectingWriter } from './reconnecting-writer.js';
import { countModelLoaded, takeStartNumber } from '../common/worker-start.js';

const config = workerConfigFrom(workerData);

let loading: Promise<BatchEmbedder> | undefined;
// The embedder's module pulls in onnxruntime-node and transformers.js: a worker that never loads the
// model never pays for importing them either.
const embedder = () =>
  (loading ??= import('./batch-embedder.js')
    .then(({ BatchEmbedder }) => BatchEmbedder.open(config))
    .then((opened) => {
      countModelLoaded(config.startOrder);
      return opened;
    }));
// Connected on the first batch, so that a database that is down when the pool starts is waited for
// like one that goes down later.
let writer: ReconnectingWriter | undefined;

if (takeStartNumber(config.startOrder) <= config.workersLoadingAtStart) embedder().catch(() => undefined);

export default async function handle(task: WorkerRequest): Promise<WorkerAnswer> {
  if ('close' in task) {
    // A model still loading is waited for: a thread terminated inside the native loader can abort the process.
    const loaded = await loading?.catch(() => undefined);
    await Promise.all([loaded?.release(), writer?.close()]);
    arriveAndWait(task.close.barrier, task.close.workers);
    return undefined;
  }
  let loaded: BatchEmbedder;
  try {
    loaded = await embedder();
    // Ready once the session is open; a task also waits for its run cost to be timed, and a timing that
    // fails stops the run as a failed load does.
    if (!('ready' in task)) await loaded.timed;
  } catch (error) {
    const failure = startFailure(error);
    return 'ready' in task || 'vectors' in task ? { failure } : { seq: task.seq, failure };
  }
  if ('ready' in task) return { ready: true };
  if ('vectors' in task) {
    try {
      return { vectors: await loaded.embedTexts(task.vectors.texts, task.vectors.prompt) };
    } catch (error) {
      return { failure: startFailure(error) };
    }
  }
  writer ??= new ReconnectingWriter(config.connection, task.target.plan);
  try {
    const window = task.target.plan.chunk;
    if (window !== undefined && loaded.encoder !== undefined) {
      const { embedChunks } = await import('./chunk-embedder.js');
      return await embedChunks({ encoder: loaded.encoder, gate: loaded.gate, prompt: config.profile.prompt, window }, task, writer);
    }
    return await loaded.embed(task, writer);
  } catch (error) {
    return { seq: task.seq, failure: describeFailure(error, task.target.context) };
  }
}

/** No batch can succeed without the model (a bad model file, no CUDA, onnxruntime built for another Node): the run stops. */
function startFailure(error: unknown): WorkerFailure {
  if (error instanceof EmbedError) return { kind: 'fatal', message: firstLine(error), errorClass: error.name };
  const mismatch = explainNativeModuleMismatch(error);
  if (mismatch !== undefined) return { kind: 'fatal', message: mismatch, errorClass: 'WorkerError' };
  return { kind: 'fatal', message: `a worker could not start: ${firstLine(error)}`, errorClass: 'WorkerError' };
}
