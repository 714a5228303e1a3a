/**
 * Which worker gets a task. Up to the number of workers that can compute at once (see
 * common/compute-gate.ts), an idle worker first, so that the tasks of a short pass dispatched together
 * run side by side; past that, the busiest worker that still has room, so that a worker is filled up to
 * its tasks before another one gets any, and none while the busy ones have no room. piscina's own
 * balancer always takes an idle worker first, which with more workers than the gate lets run hands
 * tasks to workers that can only wait, each loading a model to do so. This way `--workers 8` on 2
 * cores keeps two workers busy, as `--workers 2` does, and the others never load the model.
 *
 * A task that can be aborted (the pool's close tasks) goes, as in piscina, only to an idle worker and
 * keeps it to itself.
 */
import type { Piscina } from 'piscina';

type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;
type PoolWorker = Parameters<LoadBalancer>[1][number];

export function packingBalancer(tasksPerWorker: number, computeSlots: number): LoadBalancer {
  return (task, workers) => {
    let busy = 0;
    for (const worker of workers) if (worker.currentUsage > 0) busy++;
    const spread = busy < computeSlots;
    let chosen: PoolWorker | null = null;
    for (const worker of workers) {
      if (task.isAbortable) {
        if (worker.currentUsage === 0) return worker;
        continue;
      }
      if (worker.isRunningAbortableTask || worker.currentUsage >= tasksPerWorker) continue;
      // Past the compute slots an idle worker could only wait, loading a model to do so: the task
      // waits in piscina's queue for a busy worker's slot instead (one holding the pool's ready task
      // while its model loads, say).
      if (!spread && worker.currentUsage === 0) continue;
      if (chosen === null || (spread ? worker.currentUsage < chosen.currentUsage : worker.currentUsage > chosen.currentUsage))
        chosen = worker;
    }
    return chosen;
  };
}
