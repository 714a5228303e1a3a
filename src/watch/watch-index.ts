/**
 * A watcher's vector index: built once the watcher has caught up (its first pass complete), in the
 * background, so that looks and their inserts go on while CREATE INDEX CONCURRENTLY runs. Its start,
 * progress (every half minute) and end are events of the watcher's log; a stop cancels it, and the invalid
 * index that leaves is dropped and built again by the next run or watcher.
 */
import type { ConnectionConfig } from '../../common/connection-config.js';
import type { EmbedConfig } from '../config/config.js';
import { describeIndexOutcome } from '../job/index-build.js';
import type { EventLog } from '../observe/event-log.js';
import type { Target } from '../target/target-table.js';
import { startIndexBuild, type IndexBuild } from '../target/vector-index.js';

export interface WatchIndex {
  /** Cancels a build under way and waits for it to end. */
  stop(): Promise<void>;
}

export function indexOnceCaughtUp(
  config: Pick<EmbedConfig, 'maintenanceWorkMem'>,
  connection: ConnectionConfig,
  target: Target,
  log: EventLog,
  progressEveryMs = 30_000,
): WatchIndex {
  if (target.index === 'none') return { stop: async () => undefined };
  let lastShown = performance.now();
  const build: IndexBuild = startIndexBuild(connection, {
    ref: target.ref,
    storage: target.storage,
    kind: target.index,
    maintenanceWorkMem: config.maintenanceWorkMem,
    onProgress: (progress) => {
      if (performance.now() - lastShown < progressEveryMs) return;
      lastShown = performance.now();
      const percent = progress.total > 0 ? `, ${Math.floor((100 * progress.done) / progress.total)}%` : '';
      log.event('index', `index on ${target.display}: ${progress.phase}${percent}`, { ...progress });
    },
  });
  const ended = build.done.then(
    (outcome) => {
      if (outcome !== undefined) log.event('index', describeIndexOutcome(outcome), { ...outcome });
    },
    (error: unknown) =>
      log.event(
        'warning',
        `the vector index was not built: ${(error as Error).message.split('\n')[0]}; the next watcher or run tries again`,
      ),
  );
  return {
    async stop() {
      await build.cancel();
      await ended;
    },
  };
}
