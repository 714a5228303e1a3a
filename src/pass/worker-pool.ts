/**
 * The piscina pool of embed workers: a fixed number of threads started at once (see workers/embed-worker.ts
 * for when each loads the model). A thread that dies (out of memory, a native fault) is replaced by
 * piscina and its batch comes back as a BatchFailedError, which the dispatcher retries.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { BatchFailedError, failureError } from '../../common/batch-failure.js';
import type { BatchResult, WorkerAnswer, WorkerConfig, WorkerRequest, WorkerTask } from '../../common/batch-task.js';
import { firstLine, WorkerError } from '../../common/errors.js';
import { packingBalancer } from './packing-balancer.js';
import { workerFile } from '../paths.js';
import { releasePermitsOfGoneThreads, threadsComputing } from '../../common/compute-gate.js';
import { modelsLoaded } from '../../common/worker-start.js';

export interface WorkerPool {
  /** Resolves once any worker has loaded the model; rejects with why it could not (ModelError, DeviceError). */
  ready(): Promise<void>;
  run(task: WorkerTask): Promise<BatchResult>;
  /** Vectors of texts with this prompt, written nowhere. */
  vectors(texts: string[], prompt: string): Promise<Float32Array[]>;
  /** Worker threads whose model is loaded (in a metrics-only run: whose tokenizer is). */
  modelsLoaded(): number;
  /** Worker threads tokenizing or running the model at this moment (they hold a compute permit). */
  computing(): number;
  close(): Promise<void>;
}

/** How often ready() looks at the count of models loaded while its own worker still loads. */
const readyPollMs = 5;

/** One task computes while the other writes and commits. */
export const tasksPerWorker = 2;

/**
 * A worker's V8 young generation (two semi-spaces and the new large-object space), in MB. V8 grows it with
 * the allocation rate up to its default maximum, and a busy worker (tokenizing, building tensors) reaches
 * that within a minute and keeps it resident, reached in steps as the load rises: tens of MB per computing
 * worker. Capped, a task's garbage is collected sooner, for a few percent more CPU on a tiny model (where
 * JavaScript weighs most) and less on a real one.
 */
export const workerYoungGenerationMb = 12;

export function createWorkerPool(config: WorkerConfig, workers: number): WorkerPool {
  const pool = new Piscina<WorkerRequest, WorkerAnswer>({
    filename: workerFile,
    workerData: config,
    minThreads: workers,
    maxThreads: workers,
    // One task writes while the other computes (see workers/batch-embedder.ts).
    concurrentTasksPerWorker: tasksPerWorker,
    // By default an idle piscina worker blocks its thread in Atomics.wait until a task comes, which also
    // stops what it does in the background: a worker that loads its model at start (embed-worker.ts)
    // would load it only once its first task arrived. With messages its event loop keeps running.
    atomics: 'disabled',
    loadBalancer: packingBalancer(tasksPerWorker, config.workersLoadingAtStart),
    // The dispatcher bounds the batches in flight itself; a queue here would only hide them.
    maxQueue: workers * 4,
    idleTimeout: Number.POSITIVE_INFINITY,
    resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb },
  });
  // A replacement thread that dies while starting makes piscina stop replacing threads, and batches
  // queued for it would wait forever: such a failure ends the run instead. Each call waiting on the pool
  // registers here and leaves when it is answered (racing a promise that never settles would instead
  // keep every answer alive in its reaction list: memory that grows with every batch of a long watch).
  let poolFailure: Error | undefined;
  const waiting = new Set<(error: Error) => void>();
  const failPool = (error: Error) => {
    poolFailure ??= error;
    for (const fail of waiting) fail(poolFailure);
  };
  const untilPoolFails = <T>(running: Promise<T>): Promise<T> => {
    if (poolFailure) return Promise.reject(poolFailure);
    return new Promise<T>((resolve, reject) => {
      waiting.add(reject);
      running.then(resolve, reject).finally(() => waiting.delete(reject));
    });
  };
  // A thread that died holding a compute permit cannot give it back. piscina drops a dead thread from
  // its list before it fails the thread's tasks or reports the death.
  const freeDeadThreadsPermits = () =>
    releasePermitsOfGoneThreads(config.computeGate, new Set(pool.threads.map((thread) => thread.threadId)));
  pool.on('error', (error: unknown) => {
    freeDeadThreadsPermits();
    failPool(new WorkerError(`a worker thread died outside any batch (${firstLine(error)}); progress is saved`, { cause: error }));
  });
  return {
    async ready() {
      // The ready task lands on one worker, not always the first to load: the count the workers keep in
      // shared memory tells sooner when another got there first. The task still tells why a model cannot load.
      const answered = untilPoolFails(pool.run({ ready: true })).then((outcome) => {
        if (outcome !== undefined && 'failure' in outcome) throw failureError(outcome.failure);
      });
      let settled = false;
      const loadedElsewhere = async () => {
        while (!settled && modelsLoaded(config.startOrder) === 0) await wait(readyPollMs);
      };
      try {
        await Promise.race([answered, loadedElsewhere()]);
      } finally {
        settled = true;
        answered.catch(() => undefined);
      }
    },
    async run(task) {
      let outcome: WorkerAnswer;
      try {
        outcome = await untilPoolFails(pool.run(task));
      } catch (error) {
        if (error instanceof WorkerError) throw error;
        freeDeadThreadsPermits();
        throw new BatchFailedError(`worker thread died (${firstLine(error)})`, { cause: error });
      }
      if (outcome === undefined) throw new Error('a worker answered a batch as if it were closing');
      if ('failure' in outcome) throw failureError(outcome.failure);
      if ('ready' in outcome) throw new Error('a worker answered a batch as if asked whether it was ready');
      if ('vectors' in outcome) throw new Error('a worker answered a batch with vectors');
      return outcome;
    },
    async vectors(texts, prompt) {
      const outcome = await untilPoolFails(pool.run({ vectors: { texts, prompt } }));
      if (outcome === undefined || !('vectors' in outcome)) {
        if (outcome !== undefined && 'failure' in outcome) throw failureError(outcome.failure);
        throw new Error('a worker answered a request for vectors with something else');
      }
      return outcome.vectors;
    },
    modelsLoaded: () => modelsLoaded(config.startOrder),
    computing: () => threadsComputing(config.computeGate),
    async close() {
      const barrier = new SharedArrayBuffer(4);
      // A task that can be aborted gets an idle worker of its own (see packing-balancer.ts): each close
      // task then lands on a different worker, which the barrier needs.
      const exclusive = { signal: new AbortController().signal };
      const released = Promise.allSettled(Array.from({ length: workers }, () => pool.run({ close: { barrier, workers } }, exclusive)));
      // A pool whose threads died cannot answer; its sessions went with them.
      await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
      await pool.destroy();
    },
  };
}
