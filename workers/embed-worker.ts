/**
 * The piscina worker: loads the model once, holds its own Postgres connection, and for each batch
 * embeds the texts, writes them and commits before reporting back. The default export is a promise of
 * the handler, which piscina awaits, so start-up cost is paid once per thread. A batch that fails comes
 * back as a described failure rather than a thrown error: errors lose their class and SQLSTATE crossing
 * threads, and the main thread needs both to decide between waiting, stopping and splitting.
 */
import { workerData } from 'piscina';
import { describeFailure, type WorkerFailure } from '../src/batch-failure.js';
import type { BatchOutcome, BatchTask, CloseTask, WorkerConfig } from '../src/batch-task.js';
import { BatchEmbedder } from './batch-embedder.js';
import { arriveAndWait } from './close-barrier.js';
import { ReconnectingWriter } from './reconnecting-writer.js';

const config = workerData as WorkerConfig;

type Handler = (task: BatchTask | CloseTask) => Promise<BatchOutcome | undefined>;

async function start(): Promise<Handler> {
  const embedder = await BatchEmbedder.open(config);
  // Connected on the first batch, so that a database that is down when the pool starts is waited for
  // like one that goes down later.
  const writer = new ReconnectingWriter(config.connection, config.plan);
  return async function embedBatch(task: BatchTask | CloseTask): Promise<BatchOutcome | undefined> {
    if ('close' in task) {
      await Promise.all([embedder.release(), writer.close()]);
      arriveAndWait(task.close.barrier, task.close.workers);
      return undefined;
    }
    try {
      return await embedder.run(task, writer);
    } catch (error) {
      return { seq: task.seq, failure: describeFailure(error, config.writeContext) };
    }
  };
}

/**
 * A start-up failure (bad model file, no CUDA) becomes the answer to every task instead of an unhandled
 * rejection that would take the process down without a message; no batch can succeed, so it is fatal.
 */
export default start().catch((error: unknown) => {
  const described = describeFailure(error, config.writeContext);
  const failure: WorkerFailure = described.errorClass
    ? { ...described, kind: 'fatal' }
    : { kind: 'fatal', message: `a worker could not start: ${described.message}`, errorClass: 'WorkerError' };
  return async (task: BatchTask | CloseTask): Promise<BatchOutcome | undefined> => {
    if (!('close' in task)) return { seq: task.seq, failure };
    arriveAndWait(task.close.barrier, task.close.workers);
    return undefined;
  };
});
