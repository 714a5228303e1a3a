import { describe, expect, it } from 'vitest';
import { packingBalancer } from '../../dist/src/pass/packing-balancer.js';

type Balancer = ReturnType<typeof packingBalancer>;
type Task = Parameters<Balancer>[0];
type Worker = Parameters<Balancer>[1][number];

const worker = (id: number, currentUsage: number, isRunningAbortableTask = false) =>
  ({ id, currentUsage, isRunningAbortableTask }) as unknown as Worker;
const task = (isAbortable: boolean) => ({ isAbortable }) as unknown as Task;

describe('packing balancer', () => {
  const choose = packingBalancer(2, 2);

  it('hands tasks to idle workers, in order, until as many work as can compute at once', () => {
    expect(choose(task(false), [worker(1, 0), worker(2, 0), worker(3, 0)])?.id).toBe(1);
    expect(choose(task(false), [worker(1, 1), worker(2, 0), worker(3, 0)])?.id).toBe(2);
    expect(choose(task(false), [worker(1, 2), worker(2, 0), worker(3, 0)])?.id).toBe(2);
  });

  it('then fills the busiest worker that has room, never waking a worker that could only wait', () => {
    expect(choose(task(false), [worker(1, 1), worker(2, 1), worker(3, 0)])?.id).toBe(1);
    expect(choose(task(false), [worker(1, 2), worker(2, 1), worker(3, 0)])?.id).toBe(2);
    expect(choose(task(false), [worker(1, 0), worker(2, 1), worker(3, 1)])?.id).toBe(2);
    expect(choose(task(false), [worker(1, 2), worker(2, 2)])).toBeNull();
    // Both busy workers full (one holding the ready task while its model loads): the task waits.
    expect(choose(task(false), [worker(1, 2), worker(2, 2), worker(3, 0)])).toBeNull();
  });

  it('with one compute slot, packs from the start', () => {
    const single = packingBalancer(2, 1);
    expect(single(task(false), [worker(1, 0), worker(2, 1), worker(3, 0)])?.id).toBe(2);
  });

  it('gives a task that can be aborted an idle worker only, and puts nothing beside it', () => {
    expect(choose(task(true), [worker(1, 1), worker(2, 0)])?.id).toBe(2);
    expect(choose(task(true), [worker(1, 1), worker(2, 1)])).toBeNull();
    expect(choose(task(false), [worker(1, 1, true), worker(2, 0)])?.id).toBe(2);
  });
});
