/** A one-shot barrier on a shared counter: each party arrives, then waits (bounded) for all the others. */
export function arriveAndWait(barrier: SharedArrayBuffer, parties: number, timeoutMs = 10_000): void {
  const count = new Int32Array(barrier);
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
  const deadline = Date.now() + timeoutMs;
  for (let seen = Atomics.load(count, 0); seen < parties && Date.now() < deadline; seen = Atomics.load(count, 0)) {
    Atomics.wait(count, 0, seen, 100);
  }
}
