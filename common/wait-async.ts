/**
 * Atomics.waitAsync on a shared BigInt64Array (ES2024, beyond the project's lib setting, but Node 20 has
 * it), with a timer beside it: a pending waitAsync alone does not keep a thread's event loop alive, and a
 * thread with nothing else to do would end in the middle of its wait.
 */

type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

const atomics = Atomics as unknown as {
  waitAsync(
    array: BigInt64Array,
    index: number,
    value: bigint,
    timeoutMs: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
};

/** Resolves once array[index] is notified, or at once if it no longer holds value, or after timeoutMs. */
export async function waitAsync(array: BigInt64Array, index: number, value: bigint, timeoutMs: number): Promise<WaitOutcome> {
  const waited = atomics.waitAsync(array, index, value, timeoutMs);
  if (!waited.async) return waited.value;
  let timer: NodeJS.Timeout | undefined;
  const keepAlive = new Promise<WaitOutcome>((resolve) => (timer = setTimeout(() => resolve('timed-out'), timeoutMs + 10)));
  try {
    return await Promise.race([waited.value, keepAlive]);
  } finally {
    clearTimeout(timer);
  }
}
