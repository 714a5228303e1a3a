import { describe, expect, it } from 'vitest';
import { ConnectionLostError } from '../../dist/common/batch-failure.js';
import { runIsolated } from '../../dist/src/pass/batch-isolation.js';
import type { BatchResult, BatchTask } from '../../dist/common/batch-task.js';
import { DatabaseError, WorkerError } from '../../dist/common/errors.js';

const task = (count: number): BatchTask => ({
  seq: 7,
  ids: Array.from({ length: count }, (_, i) => String(i + 1)),
  texts: Array.from({ length: count }, (_, i) => `text ${i + 1}`),
});

/** A batch runner that fails any batch holding one of the bad ids, as a constraint would. */
function rejecting(bad: string[], calls: string[][] = []) {
  return async (part: BatchTask): Promise<BatchResult> => {
    calls.push(part.ids);
    const culprit = part.ids.find((id) => bad.includes(id));
    if (culprit !== undefined) throw new Error(`row ${culprit} violates a check constraint`);
    return {
      seq: part.seq,
      // As if each part ran on a worker of its own.
      workers: [Number(part.ids[0])],
      written: part.ids.length,
      rowsInferred: part.ids.length,
      truncatedIds: part.ids.filter((id) => id === '2'),
      realTokens: 3 * part.ids.length,
      paddedTokens: 4 * part.ids.length,
      tokenizeMs: 1,
      inferenceMs: 2,
      writeMs: 3,
    };
  };
}

describe('runIsolated', () => {
  it('runs a good batch once', async () => {
    const calls: string[][] = [];
    const { result, failed } = await runIsolated(task(10), rejecting([], calls));
    expect(failed).toEqual([]);
    expect(result).toMatchObject({ seq: 7, written: 10, truncatedIds: ['2'] });
    expect(calls).toHaveLength(1);
  });

  it('splits a failing batch until the bad rows stand alone, and writes every other row', async () => {
    const calls: string[][] = [];
    const { result, failed } = await runIsolated(task(16), rejecting(['5', '12'], calls));
    expect(failed).toEqual([
      { id: '5', error: 'row 5 violates a check constraint' },
      { id: '12', error: 'row 12 violates a check constraint' },
    ]);
    // Two tries of the whole batch, then halves: 1-8 fails, 1-4 writes, 5-8 fails, 5-6 fails, 5 fails,
    // 6 writes, 7-8 writes, 9-16 fails, 9-12 fails, 9-10 writes, 11-12 fails, 11 writes, 12 fails, 13-16 writes.
    expect(calls).toHaveLength(16);
    expect(result).toMatchObject({ seq: 7, written: 14, realTokens: 42, paddedTokens: 56, writeMs: 6 * 3 });
    expect([...result!.workers].sort((a, b) => a - b)).toEqual([1, 6, 7, 9, 11, 13]);
    const written = calls.filter((ids) => !ids.includes('5') && !ids.includes('12')).flat();
    expect(written.sort()).toEqual(
      task(16)
        .ids.filter((id) => id !== '5' && id !== '12')
        .sort(),
    );
  });

  it('retries a batch once before splitting it (a worker that died once may have died of something else)', async () => {
    let failures = 1;
    const { result, failed } = await runIsolated(task(4), async (part) => {
      if (failures-- > 0) throw new Error('worker thread died');
      return rejecting([])(part);
    });
    expect(failed).toEqual([]);
    expect(result?.written).toBe(4);
  });

  it('never splits a fault that is not in the rows', async () => {
    for (const error of [new DatabaseError('no permission'), new ConnectionLostError('gone')]) {
      const calls: string[][] = [];
      await expect(
        runIsolated(task(8), async (part) => {
          calls.push(part.ids);
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toHaveLength(1);
    }
  });

  it('stops when every row fails on its own: the fault is not in the rows', async () => {
    await expect(runIsolated(task(4), async () => Promise.reject(new Error('session cannot run')))).rejects.toBeInstanceOf(WorkerError);
  });
});
