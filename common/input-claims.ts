/**
 * Which model inputs some worker is embedding right now, shared by every worker thread through one
 * fixed-size SharedArrayBuffer. The target answers "is this input embedded already?" only once a task
 * commits, so without this two workers running at the same time would both embed a text that repeats
 * across their tasks. A task claims all the inputs it may run at once, under a ticket from a shared
 * counter; a task meeting an input claimed under an earlier ticket runs the rest of its rows first, then
 * waits for that claim's release (after the commit) and copies the stored vector. Claiming is one short
 * critical section per task, so tickets order the claims themselves: a task never finds an input held
 * under a later ticket, and waiting only on earlier tickets means two tasks never wait on each other.
 * The table is direct-mapped, one 64-bit word per slot (31 bits of the key, then the ticket): an input
 * whose slot another input holds is simply embedded without coordination.
 */
import { waitAsync } from './wait-async.js';

const slots = 1 << 18;
const counter = slots;
const lock = slots + 1;
/** A claim older than this is presumed left by a thread that died; the waiter takes over the input. */
const waitLimitMs = 30_000;
/** The lock is held for a loop over one task's inputs; held this long, its holder is gone. */
const lockLimitMs = 1_000;

export function createClaimBuffer(): SharedArrayBuffer {
  // The slots, the ticket counter and the lock.
  return new SharedArrayBuffer((slots + 2) * BigInt64Array.BYTES_PER_ELEMENT);
}

export type Claim =
  /** This task holds the input until it releases the claim after its commit. */
  | { kind: 'mine'; slot: number; word: bigint }
  /** A task with an earlier ticket is embedding the input: wait for it, then copy. */
  | { kind: 'earlier'; slot: number; word: bigint }
  /** No coordination possible: embed it if the target lacks it. */
  | { kind: 'free' };

export class InputClaims {
  private readonly words: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.words = new BigInt64Array(buffer);
  }

  /** Claims, for one task, each of these input keys (see workers/input-key.ts). */
  claimAll(keys: readonly Buffer[]): Claim[] {
    this.lock();
    try {
      const ticket = BigInt.asUintN(32, Atomics.add(this.words, counter, 1n) + 1n);
      return keys.map((key) => this.claim(key, ticket));
    } finally {
      Atomics.store(this.words, lock, 0n);
      Atomics.notify(this.words, lock, 1);
    }
  }

  release(claim: Claim): void {
    if (claim.kind !== 'mine') return;
    // Only if still ours: a waiter that gave up on it may have cleared it since.
    if (Atomics.compareExchange(this.words, claim.slot, claim.word, 0n) === claim.word) Atomics.notify(this.words, claim.slot);
  }

  /** Resolves once the earlier task has released the claim, or has held it past the wait limit. */
  async waitFor(claim: Claim & { kind: 'earlier' }): Promise<void> {
    const outcome = await waitAsync(this.words, claim.slot, claim.word, waitLimitMs);
    if (outcome === 'timed-out' && Atomics.compareExchange(this.words, claim.slot, claim.word, 0n) === claim.word) {
      Atomics.notify(this.words, claim.slot);
    }
  }

  private claim(key: Buffer, ticket: bigint): Claim {
    // The key is a hash already: its bytes are uniform, so any of them make a slot and a tag. 31 bits of
    // tag keep the word a positive int64.
    const slot = key.readUInt32LE(4) % slots;
    const tag = BigInt((key.readUInt32LE(0) >>> 1) | 1);
    const word = (tag << 32n) | ticket;
    const held = Atomics.compareExchange(this.words, slot, 0n, word);
    if (held === 0n) return { kind: 'mine', slot, word };
    if (held >> 32n === tag && (held & 0xffffffffn) < ticket) return { kind: 'earlier', slot, word: held };
    return { kind: 'free' };
  }

  private lock(): void {
    const deadline = performance.now() + lockLimitMs;
    while (Atomics.compareExchange(this.words, lock, 0n, 1n) !== 0n) {
      if (performance.now() > deadline) return;
      // Worker threads may block; the holder is in a loop of a few microseconds.
      Atomics.wait(this.words, lock, 1n, 10);
    }
  }
}
