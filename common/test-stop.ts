/**
 * A test hook, and nothing else: with EMBED_TEST_STOP_AT naming one of these points, the process stops
 * itself (SIGSTOP) the first time a thread reaches it, as a suspended VM or a long stall would at
 * exactly that moment, and goes on when it gets SIGCONT. Tests of a paused host use it to pause inside
 * a transaction without racing it. Unset, it costs one comparison.
 *
 * - planning: the main thread, inside the transaction that plans a distributed pass (after its snapshot);
 * - commit: a worker, after a batch's upsert and before its COMMIT.
 */
export type StopPoint = 'planning' | 'commit';

const stopped = new Set<StopPoint>();

export async function stopHereInTests(point: StopPoint): Promise<void> {
  if (process.env.EMBED_TEST_STOP_AT !== point || stopped.has(point)) return;
  stopped.add(point);
  process.kill(process.pid, 'SIGSTOP');
  // Resumed: let what reached the sockets meanwhile (the server ending a session) be read first, as it
  // would be by a process that was paused between two statements.
  await new Promise((resolve) => setTimeout(resolve, 100));
}
