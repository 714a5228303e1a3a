import { describe, expect, it } from 'vitest';
import { pageRows, passTaskRows, rowsWithinTaskText, taskRowsAfter } from '../../dist/src/pass/task-size.js';

describe('task size', () => {
  const sizing = { fullTask: 1600, batchSize: 100, rowsExpected: 20_000, tasksInFlight: 4 };

  it('is a full task while the rows left fill every task the pool holds at once', () => {
    expect(taskRowsAfter(0, sizing)).toBe(1600);
    expect(taskRowsAfter(20_000 - 6400, sizing)).toBe(1600);
  });

  it('shares the last rows out over the tasks the pool holds, in whole batches, down to one batch', () => {
    expect(taskRowsAfter(20_000 - 3200, sizing)).toBe(800);
    expect(taskRowsAfter(20_000 - 2000, sizing)).toBe(500);
    expect(taskRowsAfter(20_000 - 1000, sizing)).toBe(300);
    expect(taskRowsAfter(20_000 - 350, sizing)).toBe(100);
  });

  it('is a full task again past the estimate: the planner counted too few rows, the end is unknown', () => {
    expect(taskRowsAfter(20_000, sizing)).toBe(1600);
    expect(taskRowsAfter(25_000, sizing)).toBe(1600);
  });

  it('cuts a pass the pool holds at once into equal tasks, one per place in the pool but no more than its batches, read in one page', () => {
    const small = (rowsExpected: number) => ({ ...sizing, rowsExpected });
    for (const read of [0, 505, 1010, 1515]) expect(taskRowsAfter(read, small(2020))).toBe(505);
    expect(taskRowsAfter(0, small(6400))).toBe(1600);
    expect(taskRowsAfter(0, small(250))).toBe(84);
    expect(taskRowsAfter(0, small(20))).toBe(20);
    expect(taskRowsAfter(20, small(20))).toBe(1600);
    expect(pageRows(small(2020))).toBe(6400);
    expect(pageRows(small(20))).toBe(6400);
    expect(pageRows(sizing)).toBe(1600);
  });

  it('sizes by the rows in hand once the read says the page is the last: the pass is then known, whatever was counted', () => {
    const counted20 = { ...sizing, rowsExpected: 20 };
    let lastPage = false;
    const taskRows = passTaskRows(counted20, () => lastPage);
    // A page that says nothing of the end (full, or cut by its bytes): the count stands (and past it, full tasks).
    expect(taskRows(0, 6400)).toBe(20);
    expect(taskRows(20, 6380)).toBe(1600);
    expect(taskRows(0, 2020)).toBe(20);
    // The look counted 20 rows; 2,000 more committed before its read: one last page of 2,020.
    lastPage = true;
    expect(taskRows(0, 2020)).toBe(505);
    expect(taskRows(1515, 505)).toBe(505);
  });

  it('ends a task at its text budget, past its first row, and leaves tasks of short texts alone', () => {
    const page = (...lengths: number[]) => lengths.map((length) => ({ text: 'x'.repeat(length) }));
    expect(rowsWithinTaskText(page(10, 10, 10, 10), 0, 4, 100)).toBe(4);
    expect(rowsWithinTaskText(page(40, 40, 40, 40), 0, 4, 100)).toBe(2);
    expect(rowsWithinTaskText(page(40, 40, 40, 40), 2, 4, 100)).toBe(2);
    expect(rowsWithinTaskText(page(500, 10), 0, 2, 100)).toBe(1);
    expect(rowsWithinTaskText(page(10, 500, 10), 0, 3, 100)).toBe(1);
    expect(rowsWithinTaskText([{ text: null }, { text: 'x'.repeat(90) }, { text: null }], 0, 3, 100)).toBe(3);
    expect(rowsWithinTaskText(page(10, 10), 0, 5, 100)).toBe(2);
  });

  it('gives a task of long texts half a MB of them at most', () => {
    const longText = 'x'.repeat(128 * 1024);
    const page = Array.from({ length: 8 }, () => ({ text: longText }));
    expect(rowsWithinTaskText(page, 0, 8)).toBe(4);
    expect(rowsWithinTaskText(page, 4, 8)).toBe(4);
  });

  it('cuts rows past the text budget into equal parts, leaving no sliver of a task after a full one', () => {
    const page = Array.from({ length: 11 }, () => ({ text: 'x'.repeat(10) }));
    expect(rowsWithinTaskText(page, 0, 11, 100)).toBe(5);
    expect(rowsWithinTaskText(page, 5, 11, 100)).toBe(6);
    expect(rowsWithinTaskText(page, 0, 11, 40)).toBe(3);
  });
});
