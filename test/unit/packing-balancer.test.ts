import { describe, expect, it } from 'vitest';
import { packingBalancer } from '../../dist/src/run/packing-balancer.js';

type Balancer = ReturnType<typeof packingBalancer>;
type Task = Parameters<Balancer>[0];
type Worker = Parameters<Balancer>[1][number];

const worker = (id: number, currentUsage: number, isRunningAbortableTask = false) =>
  ({ id, currentUsage, isRunningAbortableTask }) as unknown as Worker;
const task = (isAbortable: boolean) => ({ isAbortable }) as unknown as Task;

describe('packing balancer', () => {
  const choose = packingBalancer(2);

  it('fills the busiest worker that has room before handing a task to an idle one', () => {
    expect(choose(task(false), [worker(1, 0), worker(2, 1), worker(3, 0)])?.id).toBe(2);
    expect(choose(task(false), [worker(1, 2), worker(2, 0), worker(3, 0)])?.id).toBe(2);
    expect(choose(task(false), [worker(1, 2), worker(2, 2)])).toBeNull();
  });

  it('gives a task that can be aborted an idle worker only, and puts nothing beside it', () => {
    expect(choose(task(true), [worker(1, 1), worker(2, 0)])?.id).toBe(2);
    expect(choose(task(true), [worker(1, 1), worker(2, 1)])).toBeNull();
    expect(choose(task(false), [worker(1, 1, true), worker(2, 0)])?.id).toBe(2);
  });
});
