import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ComputeGate, createComputeGate, releasePermitsOfGoneThreads, threadsComputing } from '../../dist/common/compute-gate.js';

const gateModule = pathToFileURL(path.resolve('dist/common/compute-gate.js')).href;

/**
 * A thread that passes `tasks` pieces of work through the gate at once; each holds its permit `holdMs`
 * (or for ever) and records in a shared array how many pieces were inside at once, overall and in order.
 */
const threadSource = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { ComputeGate } = await import(workerData.gateModule);
  const gate = new ComputeGate(workerData.gate, workerData.leaseMs);
  const live = new Int32Array(workerData.live);
  const work = (n) => async () => {
    const inside = Atomics.add(live, 0, 1) + 1;
    for (let max = Atomics.load(live, 1); inside > max; max = Atomics.load(live, 1)) Atomics.compareExchange(live, 1, max, inside);
    const position = Atomics.add(live, 2, 1);
    Atomics.store(live, 3 + position, workerData.id * 1000 + n);
    parentPort.postMessage('inside');
    await new Promise((resolve) => { if (workerData.holdMs !== null) setTimeout(resolve, workerData.holdMs); });
    Atomics.sub(live, 0, 1);
  };
  await Promise.all(Array.from({ length: workerData.tasks }, (_, n) => gate.withPermit(work(n))));
  parentPort.postMessage('done');
})();
`;

interface ThreadOptions {
  id: number;
  tasks: number;
  holdMs: number | null;
  leaseMs?: number;
}

function startThread(gate: SharedArrayBuffer, live: SharedArrayBuffer, options: ThreadOptions) {
  const worker = new Worker(threadSource, { eval: true, workerData: { gateModule, gate, live, leaseMs: 60_000, ...options } });
  const message = (wanted: string) =>
    new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => m === wanted && resolve());
      worker.once('error', reject);
    });
  return { worker, inside: message('inside'), done: message('done') };
}

const sharedCounters = () => new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * 64);

describe('compute gate', () => {
  it('lets exactly as many pieces of work in at once, across threads, as it has permits', async () => {
    const gate = createComputeGate(2);
    const live = sharedCounters();
    const threads = [1, 2, 3, 4].map((id) => startThread(gate, live, { id, tasks: 5, holdMs: 15 }));
    await Promise.all(threads.map((t) => t.done));
    await Promise.all(threads.map((t) => t.worker.terminate()));
    const counters = new Int32Array(live);
    expect(counters[1]).toBe(2);
    expect(counters[2]).toBe(20);
  });

  it("runs one thread's work one piece at a time and in call order, whatever the permits", async () => {
    const gate = createComputeGate(3);
    const live = sharedCounters();
    const thread = startThread(gate, live, { id: 1, tasks: 6, holdMs: 5 });
    await thread.done;
    await thread.worker.terminate();
    const counters = new Int32Array(live);
    expect(counters[1]).toBe(1);
    expect([...counters.slice(3, 9)]).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
  });

  it('takes over, once its lease has run out, a permit whose thread died holding it', async () => {
    const gate = createComputeGate(1);
    const live = sharedCounters();
    const holder = startThread(gate, live, { id: 1, tasks: 1, holdMs: null, leaseMs: 300 });
    await holder.inside;
    await holder.worker.terminate();
    const next = startThread(gate, live, { id: 2, tasks: 2, holdMs: 5, leaseMs: 300 });
    await next.done;
    await next.worker.terminate();
    expect([...new Int32Array(live).slice(3, 6)]).toEqual([1000, 2000, 2001]);
  });

  it('frees at once, when told which threads live, a permit whose thread died holding it', async () => {
    const gate = createComputeGate(1);
    const live = sharedCounters();
    const holder = startThread(gate, live, { id: 1, tasks: 1, holdMs: null });
    await holder.inside;
    const next = startThread(gate, live, { id: 2, tasks: 1, holdMs: 5 });
    expect(releasePermitsOfGoneThreads(gate, new Set([holder.worker.threadId, next.worker.threadId]))).toBe(0);
    await holder.worker.terminate();
    const startedAt = performance.now();
    expect(releasePermitsOfGoneThreads(gate, new Set([next.worker.threadId]))).toBe(1);
    await next.done;
    await next.worker.terminate();
    // Well inside the 60 s lease: the waiter was woken by the release, not by its lease check.
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect([...new Int32Array(live).slice(3, 5)]).toEqual([1000, 2000]);
  });

  it('counts the threads computing: each one holding a permit, none once they are done', async () => {
    const gate = createComputeGate(3);
    const live = sharedCounters();
    expect(threadsComputing(gate)).toBe(0);
    const holders = [1, 2].map((id) => startThread(gate, live, { id, tasks: 1, holdMs: null }));
    await Promise.all(holders.map((t) => t.inside));
    expect(threadsComputing(gate)).toBe(2);
    await Promise.all(holders.map((t) => t.worker.terminate()));
    releasePermitsOfGoneThreads(gate, new Set());
    expect(threadsComputing(gate)).toBe(0);
    const quick = startThread(gate, live, { id: 3, tasks: 2, holdMs: 5 });
    await quick.done;
    expect(threadsComputing(gate)).toBe(0);
    await quick.worker.terminate();
  });

  it('runs work alongside at once while the thread holds a permit, and waits for one when it holds none', async () => {
    const buffer = createComputeGate(1);
    const gate = new ComputeGate(buffer);
    let finishRun: () => void = () => undefined;
    const order: string[] = [];
    const run = gate.withPermit(async () => {
      order.push('run starts');
      await new Promise<void>((resolve) => {
        finishRun = resolve;
      });
      order.push('run ends');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The only permit is this thread's: the work takes its turn between the run's steps, before the run ends.
    expect(await gate.alongside(() => order.push('tokenized') && 'tokens')).toBe('tokens');
    finishRun();
    await run;
    expect(order).toEqual(['run starts', 'tokenized', 'run ends']);

    // Another thread holds the only permit: work alongside waits for it like any other.
    const live = sharedCounters();
    const holder = startThread(buffer, live, { id: 1, tasks: 1, holdMs: null });
    await holder.inside;
    let done = false;
    const waiting = gate.alongside(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(done).toBe(false);
    await holder.worker.terminate();
    releasePermitsOfGoneThreads(buffer, new Set());
    await waiting;
    expect(done).toBe(true);
  });

  it('refuses a gate without permits', () => {
    expect(() => createComputeGate(0)).toThrow('at least one permit');
  });
});
