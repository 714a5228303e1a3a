/**
 * workers/young-collection.ts: buffers handed out one after another and dropped, with nothing else
 * allocated in between (as a worker's session runs), pile up outside the heap until a young
 * collection; counted through OutputCollection they are collected every few MB. Each case runs in a
 * process of its own, so that nothing else allocates there.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const collection = new URL('../../dist/workers/young-collection.js', import.meta.url).href;

/**
 * 200 buffers of 1 MB, each dropped before the next: the most MB of buffer memory held at once, and the
 * young collections the process asked for (V8 traces those as "testing").
 */
function handOut(counted: boolean): { peakMb: number; limitMb: number; askedCollections: number } {
  const script = `
    const { OutputCollection, outputBytesPerCollection } = await import(${JSON.stringify(collection)});
    const outputs = ${counted} ? new OutputCollection() : undefined;
    let peak = 0;
    for (let run = 0; run < 200; run++) {
      outputs?.beforeRun();
      const output = new Float32Array(256 * 1024);
      output[0] = run;
      outputs?.afterRun(output.byteLength);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    console.log(JSON.stringify({ peakMb: peak / 2 ** 20, limitMb: outputBytesPerCollection / 2 ** 20 }));
  `;
  const run = spawnSync(process.execPath, ['--trace-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const lines = run.stdout.trim().split('\n');
  // A collection gc() asks for is traced with the reason "testing"; a full one would say Mark-Compact.
  const askedCollections = lines.filter((line) => line.includes('testing') && !line.includes('Mark-Compact')).length;
  const result = lines.findLast((line) => line.startsWith('{'))!;
  return { ...(JSON.parse(result) as { peakMb: number; limitMb: number }), askedCollections };
}

describe('collecting session outputs young', () => {
  it('collects the young generation every few MB of buffers, holding fewer of them than without', () => {
    const uncounted = handOut(false);
    const counted = handOut(true);
    expect(uncounted.askedCollections).toBe(0);
    // 200 MB handed out, a collection every 8: the first once 8 MB have gone by.
    expect(counted.askedCollections).toBe(Math.floor((200 - 1) / counted.limitMb));
    // The sweeper frees a collection's buffers a moment after it, so up to about two intervals are held.
    expect(counted.peakMb).toBeLessThan(4 * counted.limitMb);
    expect(uncounted.peakMb).toBeGreaterThan(counted.peakMb);
  });

  it('leaves no gc function behind for other contexts of the process', () => {
    const script = `
      const { OutputCollection } = await import(${JSON.stringify(collection)});
      new OutputCollection();
      const vm = await import('node:vm');
      console.log(typeof globalThis.gc, vm.runInNewContext('typeof gc'));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('undefined undefined');
  });
});
