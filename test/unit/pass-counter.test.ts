/**
 * A distributed host's progress counts each row of the pass once, however many hosts took its range up,
 * and never passes the pass's total.
 */
import { describe, expect, it } from 'vitest';
import { PassCounter } from '../../dist/src/distributed/pass-progress.js';

const range = (jobId: string, rows: number) => ({ jobId, rows });

describe('PassCounter', () => {
  it("counts a range redone by another host once: this host's partial rows give way to its completion", () => {
    const counter = new PassCounter(300);
    const a = range('a', 100);
    const b = range('b', 200);
    counter.committed(a, 50);
    counter.committed(b, 150);
    expect(counter.done).toBe(200);
    // This host was paused; another host took range a over and completed it.
    counter.othersCompleted(100, ['a']);
    expect(counter.done).toBe(250);
    // Resumed, this host commits the rest of a and tries to complete it: the other host's completion stood.
    counter.committed(a, 100);
    counter.completed(a, false);
    expect(counter.done).toBe(250);
    counter.committed(b, 200);
    counter.completed(b, true);
    expect(counter.done).toBe(300);
    // A later read of the queue still sees only a as the others'.
    counter.othersCompleted(100, []);
    expect(counter.done).toBe(300);
  });

  it('counts a range this host completed after another host had taken it over once', () => {
    const counter = new PassCounter(100);
    const a = range('a', 100);
    counter.committed(a, 100);
    counter.completed(a, true);
    // The other host, which was redoing it, completes nothing: the queue counts no range of theirs.
    counter.othersCompleted(0, []);
    expect(counter.done).toBe(100);
  });

  it('never counts past the planned rows of a range (rows committed late inside it) nor past the total', () => {
    const counter = new PassCounter(150);
    const a = range('a', 100);
    counter.committed(a, 130);
    expect(counter.done).toBe(100);
    counter.othersCompleted(120, []);
    expect(counter.done).toBe(150);
  });

  it('never exceeds the total, whatever order the news comes in', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const ranges = Array.from({ length: 6 }, (_, i) => range(`r${i}`, 10 + random(50)));
      const total = ranges.reduce((sum, r) => sum + r.rows, 0);
      const counter = new PassCounter(total);
      const completedBy = new Map<string, 'here' | 'others'>();
      for (let step = 0; step < 40; step++) {
        const r = ranges[random(ranges.length)]!;
        const action = random(3);
        if (action === 0) counter.committed(r, random(r.rows + 20));
        else if (action === 1) {
          if (!completedBy.has(r.jobId)) completedBy.set(r.jobId, 'here');
          counter.completed(r, completedBy.get(r.jobId) === 'here');
        } else {
          if (!completedBy.has(r.jobId)) completedBy.set(r.jobId, 'others');
          const others = ranges.filter((x) => completedBy.get(x.jobId) === 'others');
          counter.othersCompleted(
            others.reduce((sum, x) => sum + x.rows, 0),
            others.map((x) => x.jobId),
          );
        }
        expect(counter.done).toBeLessThanOrEqual(total);
      }
      // Once every range is completed and the queue read, the count is the total exactly.
      for (const r of ranges.filter((x) => !completedBy.has(x.jobId))) {
        completedBy.set(r.jobId, 'here');
        counter.completed(r, true);
      }
      const others = ranges.filter((x) => completedBy.get(x.jobId) === 'others');
      counter.othersCompleted(
        others.reduce((sum, x) => sum + x.rows, 0),
        others.map((x) => x.jobId),
      );
      expect(counter.done).toBe(total);
    }
  });
});
