/**
 * How many tasks compute (tokenize and run the model) at once, across every worker thread: as many as
 * the cores can hold. A worker takes two tasks so that one writes and commits while the other computes;
 * the gate keeps that overlap from turning into more sessions running than there are cores, which only
 * thrash caches (eight 1-thread sessions on 2 cores ran up to 21% below two). It also makes the worker
 * count matter little on the CPU: extra workers wait at the gate instead of competing for the cores.
 *
 * Shared through one SharedArrayBuffer: a slot per permit holding its holder's thread and the time it
 * took the permit, then a counter that every release bumps and waiters wait on. Waiting is asynchronous,
 * so a worker waiting here still moves its other task's write on. A thread that dies holding a permit
 * (out of memory, a native fault) cannot release it: the pool, which sees threads die, frees the permits
 * of threads that are gone; and as a last resort a permit held past the lease is taken over: at worst
 * one more task computes than planned, never a run that stalls.
 */
import { threadId } from 'node:worker_threads';
import { OneAtATime } from './one-at-a-time.js';
import { waitAsync } from './wait-async.js';

const defaultLeaseMs = 60_000;
/** Waiters look again this often, for leases that ran out with no release to wake them. */
const recheckMs = 1_000;
const stampBits = 42n;
const stampMask = (1n << stampBits) - 1n;

export function createComputeGate(permits: number): SharedArrayBuffer {
  if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`a compute gate needs at least one permit, not ${permits}`);
  return new SharedArrayBuffer((permits + 1) * BigInt64Array.BYTES_PER_ELEMENT);
}

/** Frees the permits held by threads not in liveThreadIds; returns how many. */
export function releasePermitsOfGoneThreads(buffer: SharedArrayBuffer, liveThreadIds: ReadonlySet<number>): number {
  const words = new BigInt64Array(buffer);
  const permits = words.length - 1;
  let released = 0;
  for (let slot = 0; slot < permits; slot++) {
    const held = Atomics.load(words, slot);
    if (held === 0n || liveThreadIds.has(Number(held >> stampBits))) continue;
    if (Atomics.compareExchange(words, slot, held, 0n) === held) released++;
  }
  if (released > 0) {
    Atomics.add(words, permits, 1n);
    Atomics.notify(words, permits);
  }
  return released;
}

/**
 * Threads computing at this moment: the permits held (a thread holds at most one, see ComputeGate.withPermit).
 * Read by the main thread for the workers-busy gauge.
 */
export function threadsComputing(buffer: SharedArrayBuffer): number {
  const words = new BigInt64Array(buffer);
  let held = 0;
  for (let slot = 0; slot < words.length - 1; slot++) if (Atomics.load(words, slot) !== 0n) held++;
  return held;
}

interface Permit {
  slot: number;
  word: bigint;
}

export class ComputeGate {
  private readonly words: BigInt64Array;
  private readonly permits: number;
  /** This worker's own turn: its thread computes one thing at a time anyway (a session run blocks it). */
  private readonly ownTurn = new OneAtATime();
  /** Whether this worker holds a permit now (its work is inside withPermit). */
  private holding = false;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly leaseMs = defaultLeaseMs,
  ) {
    this.words = new BigInt64Array(buffer);
    this.permits = this.words.length - 1;
  }

  /** Runs the work once this worker's earlier work is done and a permit is free, in call order. */
  withPermit<T>(work: () => T | Promise<T>): Promise<T> {
    return this.ownTurn.inTurn(async () => {
      const permit = await this.acquire();
      this.holding = true;
      try {
        return await work();
      } finally {
        this.holding = false;
        this.release(permit);
      }
    });
  }

  /**
   * Runs short synchronous work at once while this worker holds a permit, between the steps of the work
   * holding it: on the same thread the two only take turns, so no more threads compute than there are
   * permits. A task tokenizes this way while the worker's other task runs the model, and then asks the
   * database for the inputs it holds while that task still computes, instead of after it, when the thread
   * would wait for the answer with nothing to do. Holding no permit, it waits for one like withPermit.
   */
  alongside<T>(work: () => T): Promise<T> {
    if (!this.holding) return this.withPermit(work);
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async acquire(): Promise<Permit> {
    for (;;) {
      const releases = Atomics.load(this.words, this.permits);
      const now = Date.now();
      for (let slot = 0; slot < this.permits; slot++) {
        const held = Atomics.load(this.words, slot);
        if (held !== 0n && now - Number(held & stampMask) < this.leaseMs) continue;
        const word = (BigInt(threadId) << stampBits) | BigInt(now);
        if (Atomics.compareExchange(this.words, slot, held, word) === held) return { slot, word };
      }
      await waitAsync(this.words, this.permits, releases, recheckMs);
    }
  }

  private release(permit: Permit): void {
    // Only if still ours: a waiter may have taken it over after the lease.
    Atomics.compareExchange(this.words, permit.slot, permit.word, 0n);
    Atomics.add(this.words, this.permits, 1n);
    Atomics.notify(this.words, this.permits, 1);
  }
}
