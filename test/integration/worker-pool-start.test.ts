/**
 * The pool's start: the workers that may compute load the model as they start, each on its own, with no
 * task sent to them (an idle piscina worker that blocked its thread waiting for a task would load it only
 * once its first task came); a worker beyond those never loads it until it gets a task.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { WorkerConfig } from '../../common/batch-task.js';
import { createComputeGate } from '../../dist/common/compute-gate.js';
import { createClaimBuffer } from '../../dist/common/input-claims.js';
import { createStartCounters } from '../../dist/common/worker-start.js';
import { connectionConfig } from '../../dist/src/db/database.js';
import { createWorkerPool, type WorkerPool } from '../../dist/src/pass/worker-pool.js';
import { tinyEncoderOptions } from '../helpers/embeddings.js';

function poolConfig(modelDir: string, computeSlots: number): WorkerConfig {
  return {
    ...tinyEncoderOptions(modelDir),
    profile: { prompt: '', pooling: 'mean', normalize: true, dimensions: Number.MAX_SAFE_INTEGER, needsPooledOutput: false },
    runModel: true,
    inputClaims: createClaimBuffer(),
    computeGate: createComputeGate(computeSlots),
    startOrder: createStartCounters(),
    workersLoadingAtStart: computeSlots,
    connection: connectionConfig(undefined),
  };
}

async function untilLoaded(pool: WorkerPool, models: number, withinMs: number): Promise<number> {
  const until = Date.now() + withinMs;
  while (pool.modelsLoaded() < models && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return pool.modelsLoaded();
}

describe('the worker pool at start', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('loads the model in every worker that may compute without a task sent to it, and in no other', async () => {
    pool = createWorkerPool(poolConfig(inject('tinyModelDir'), 2), 3);
    // No task is sent: not even the ready check, which would make whichever worker it reaches load.
    expect(await untilLoaded(pool, 2, 30_000)).toBe(2);
    // The third worker starts too, but loads no model until a task reaches it.
    expect(await untilLoaded(pool, 3, 1_000)).toBe(2);
  });
});
