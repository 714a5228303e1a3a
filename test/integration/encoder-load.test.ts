/**
 * Encoder.load hands the encoder over once its session is open, while the runs that time its run cost
 * still go on (a worker says it is ready meanwhile, see workers/embed-worker.ts); what it then embeds
 * must be what an encoder opened and timed in full embeds (within float noise: the two timings may
 * plan different micro-batches, and so different padding).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { encodeTexts } from '../../dist/scripts/encode-texts.js';
import { Encoder } from '../../dist/workers/encoder.js';
import { maxAbsDifference, tinyEncoderOptions } from '../helpers/embeddings.js';
import { variedTexts } from '../helpers/varied-texts.js';

describe('Encoder.load', () => {
  const encoders: Encoder[] = [];
  afterAll(async () => {
    for (const encoder of encoders) await encoder.release();
  });

  it('resolves before the run cost is timed, and then embeds exactly as Encoder.open does', async () => {
    const modelDir = inject('tinyModelDir');
    const options = tinyEncoderOptions(modelDir);
    const loaded = await Encoder.load(options);
    encoders.push(loaded);
    let timed = false;
    void loaded.timed.then(() => {
      timed = true;
    });
    // Each timing run waits a turn of the event loop, and there are dozens of them.
    await nextTurn();
    expect(timed).toBe(false);

    const texts = variedTexts();
    // Asked before the timing is over: it waits for it rather than planning without a run cost.
    const early = await encodeTexts(loaded, texts);
    expect(timed).toBe(true);

    const opened = await Encoder.open(options);
    encoders.push(opened);
    const reference = await encodeTexts(opened, texts);
    expect(early.dimension).toBe(reference.dimension);
    expect(maxAbsDifference(early.vectors, reference.vectors)).toBeLessThan(1e-5);
  });
});
