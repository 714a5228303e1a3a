/**
 * Counters of a pool's start, in shared memory that every worker of the pool holds: the number each
 * worker takes as it starts (which decides whether it loads the model at once, see
 * workers/embed-worker.ts), and how many workers have their model loaded.
 */
const startedSlot = 0;
const loadedSlot = 1;

export function createStartCounters(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

/** 1 for the first worker to start, 2 for the next, and so on. */
export function takeStartNumber(counters: SharedArrayBuffer): number {
  return Atomics.add(new Int32Array(counters), startedSlot, 1) + 1;
}

export function countModelLoaded(counters: SharedArrayBuffer): void {
  Atomics.add(new Int32Array(counters), loadedSlot, 1);
}

export function modelsLoaded(counters: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(counters), loadedSlot);
}
