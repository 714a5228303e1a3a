/**
 * The progress line of a resumed run: its count includes earlier runs' rows, its rate and ETA are this
 * run's rows over this run's time since the command started, as the summary counts them.
 */
import { describe, expect, it } from 'vitest';
import { createProgress, runPace } from '../../dist/src/pass/progress.js';

/** A stderr that is a pipe: what createProgress writes is kept. */
function pipe(): NodeJS.WriteStream & { text: string } {
  const stream = {
    isTTY: false,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('progress', () => {
  it("a resumed run's rate is its own rows over its own time, and the ETA follows from it", () => {
    let now = 0;
    const stream = pipe();
    // 15,000 of 20,000 rows were done before; this run started at 0 and, 10 s later, has done 1,000.
    const bar = createProgress(20_000, { quiet: false, rowsBefore: 15_000, startedAt: 0, stream, clock: () => now });
    now = 10_000;
    bar.update(1_000);
    expect(stream.text).toBe('embedding: 16000/20000 rows, 100 rows/s, ETA 40.0s\n');
  });

  it('counts from the command start, not from the first row', () => {
    let now = 4_000;
    const stream = pipe();
    // The workers took 4 s to load the model before the bar existed; the summary counts those seconds too.
    const bar = createProgress(1_000, { quiet: false, startedAt: 0, stream, clock: () => now });
    now = 10_000;
    bar.update(500);
    expect(stream.text).toBe('embedding: 500/1000 rows, 50 rows/s, ETA 10.0s\n');
  });

  it('says nothing about an ETA before the first row and none is left at the end', () => {
    expect(runPace(0, 0, 100, 1_000)).toEqual({ rowsPerSecond: 0, etaSeconds: undefined });
    expect(runPace(100, 0, 100, 1_000)).toEqual({ rowsPerSecond: 100, etaSeconds: 0 });
  });
});
