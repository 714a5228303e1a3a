/**
 * A session run hands its output back in a new buffer outside V8's heap, and that memory is freed only
 * when a young collection finds the buffer's object dead. Young collections come when the thread's
 * JavaScript fills its young generation, and a worker going through a task's micro-batches allocates
 * little else, so seconds of run outputs waited for one; V8 counts such memory towards the old
 * generation's limit, and kept starting marks of the worker's whole heap instead, several a run where
 * tasks of a run each had one (bench/README.md). So the session collects its thread's young generation
 * itself once enough output bytes have gone by: a scavenge of a mostly dead young generation, every
 * few MB.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** Output bytes between young collections: less than what set off marks of the heap (bench/README.md). */
export const outputBytesPerCollection = 8 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;

/**
 * V8's gc(), for this thread. Where the process was not started with --expose-gc it is read off a new
 * context while the flag is on, and the flag is turned off again at once, so that contexts made later
 * (a library user's) get no gc of their own; one made on another thread in that instant would. Two
 * workers starting together can turn it off under each other: the read is tried again, and a thread
 * that cannot get it collects as V8 decides, as before.
 */
function youngCollector(): Collect | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as Collect;
  for (let attempt = 0; attempt < 5; attempt++) {
    v8.setFlagsFromString('--expose-gc');
    try {
      const collect: unknown = vm.runInNewContext("typeof gc === 'function' ? gc : undefined");
      if (typeof collect === 'function') return collect as Collect;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  return undefined;
}

/** Looked up once per thread (a module is evaluated once per thread), on the first session's opening. */
let threadCollector: { collect: Collect | undefined } | undefined;

function collectorOfThisThread(): Collect | undefined {
  threadCollector ??= { collect: youngCollector() };
  return threadCollector.collect;
}

/** Counts a session's output bytes and collects the young generation before a run once they are due. */
export class OutputCollection {
  private readonly collect = collectorOfThisThread();
  private pending = 0;

  /** Before a run: earlier runs' outputs are garbage by now (pooled and dropped). */
  beforeRun(): void {
    if (this.pending < outputBytesPerCollection) return;
    this.pending = 0;
    this.collect?.({ type: 'minor' });
  }

  afterRun(outputBytes: number): void {
    this.pending += outputBytes;
  }
}
