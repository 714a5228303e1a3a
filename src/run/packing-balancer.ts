/**
 * Which worker gets a task: the busiest one that still has room, so that a worker is filled up to its
 * tasks before the next one gets any. piscina's own balancer does the opposite (an idle worker first),
 * which with more workers than the compute gate lets run (see common/compute-gate.ts) hands tasks to
 * workers that can only wait, each loading a model to do so. Packed, `--workers 8` on 2 cores keeps two
 * workers busy, as `--workers 2` does, and the others never load the model.
 *
 * A task that can be aborted (the pool's close tasks) goes, as in piscina, only to an idle worker and
 * keeps it to itself.
 */
import type { Piscina } from 'piscina';

type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;
type PoolWorker = Parameters<LoadBalancer>[1][number];

export function packingBalancer(tasksPerWorker: number): LoadBalancer {
  return (task, workers) => {
    let chosen: PoolWorker | null = null;
    for (const worker of workers) {
      if (task.isAbortable) {
        if (worker.currentUsage === 0) return worker;
        continue;
      }
      if (worker.isRunningAbortableTask || worker.currentUsage >= tasksPerWorker) continue;
      if (chosen === null || worker.currentUsage > chosen.currentUsage) chosen = worker;
    }
    return chosen;
  };
}
