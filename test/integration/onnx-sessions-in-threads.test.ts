/**
 * Several ONNX sessions in several worker threads, all running at once, whatever the cores: some
 * onnxruntime-node versions crash there. Four single-threaded sessions in four piscina threads (the bench's
 * encoder pool, which unlike the engine does not limit how many compute at once) encode 200 batches of 50.
 */
import { describe, expect, inject, it } from 'vitest';
import { batchedThroughput } from '../../dist/bench/encoder-throughput.js';
import { textFor } from '../helpers/fixtures.js';

describe('onnxruntime-node in worker threads', () => {
  it('runs four sessions in four threads at once through 200 batches', async () => {
    const modelDir = inject('tinyModelDir');
    const texts = Array.from({ length: 10_000 }, (_, i) => textFor(i + 1)?.trim() || `row ${i + 1}`);
    const run = await batchedThroughput({ dir: modelDir, onnxFile: `${modelDir}/onnx/model.onnx`, maxSequenceLength: 128 }, texts, {
      sessions: 4,
      threadsPerSession: 1,
      batchSize: 50,
      label: 'four sessions',
    });
    expect(run.rows).toBe(10_000);
    expect(run.sessions).toBe(4);
    expect(run.realTokens).toBeGreaterThan(10_000);
  });
});
