/**
 * What one long row costs: a single row of 512, 1,024 and 2,048 tokens through the engine's Encoder on
 * long-2048-random (MiniLM's layers, 2,048 positions), one session of one thread: seconds per row and
 * how much the process's resident memory grew for it (the session's arena grows to the largest run's
 * activations and keeps that size). Then both are extrapolated to 8,192 tokens, which this model cannot
 * run (it has 2,048 positions): the memory by the square of the length (the attention scores, heads x
 * L x L floats per layer, dominate it, and each doubling measured here about quadruples it), the time by
 * the ratio of the work: per layer, the projections and feed-forward take 8H^2 + 4HI operations per
 * token (linear in L), attention's two products 4H per pair of tokens (L^2). A fit of measured times
 * alone is too noisy on a shared machine to extrapolate four times past its range.
 *
 *   npm run build && node dist/bench/long-row.js    (prints only)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { ensureModel } from '../scripts/make-model.js';
import { Encoder } from '../workers/encoder.js';
import { modelsDir } from '../src/paths.js';

const LENGTHS = [512, 1024, 2048];
const REPEATS = 3;
const WORDS = ['water', 'house', 'school', 'city', 'light', 'world', 'data', 'table', 'search', 'model'];

/** A text of `tokens` word pieces in the tiny vocabulary ([CLS] and [SEP] included). */
const textOf = (tokens: number) => Array.from({ length: tokens - 2 }, (_, i) => WORDS[(i * 7) % WORDS.length]).join(' ');

const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);

async function main(): Promise<void> {
  const modelDir = await ensureModel('long-2048-random', { modelsDir: modelsDir() });
  const encoder = await Encoder.open({
    modelDir,
    onnxFile: path.join(modelDir, 'onnx', 'model.onnx'),
    maxSequenceLength: 2048,
    threads: 1,
    device: 'cpu',
    maxBatchTokens: 1024,
  });
  await encoder.embedTokenized(encoder.tokenize(['warm up']));
  const loaded = process.memoryUsage().rss;
  console.log(`long-2048-random fp32, 1 thread; resident after load ${megabytes(loaded)} MB; load average ${loadavg()[0]!.toFixed(1)}`);
  const seconds: number[] = [];
  const grown: number[] = [];
  for (const length of LENGTHS) {
    const tokenized = encoder.tokenize([textOf(length)]);
    if (tokenized[0]!.ids.length !== length) throw new Error(`expected ${length} tokens, got ${tokenized[0]!.ids.length}`);
    const times: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const start = performance.now();
      await encoder.embedTokenized(tokenized);
      times.push((performance.now() - start) / 1000);
    }
    const best = Math.min(...times);
    seconds.push(best);
    grown.push(megabytes(process.memoryUsage().rss - loaded));
    console.log(
      `${length} tokens: ${best.toFixed(2)} s (best of ${REPEATS}), resident ${megabytes(process.memoryUsage().rss)} MB (+${grown.at(-1)} MB over load)`,
    );
  }
  const config = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { hidden_size: number; intermediate_size: number };
  const work = (length: number) =>
    length * (8 * config.hidden_size ** 2 + 4 * config.hidden_size * config.intermediate_size) + 4 * config.hidden_size * length ** 2;
  const last = LENGTHS.length - 1;
  const target = 8192;
  const timeRatio = work(target) / work(LENGTHS[last]!);
  const memoryRatio = (target / LENGTHS[last]!) ** 2;
  console.log(
    `one ${target}-token row, extrapolated from ${LENGTHS[last]}: ${(seconds[last]! * timeRatio).toFixed(0)} s (work x${timeRatio.toFixed(1)}, ` +
      `attention ${((100 * 4 * config.hidden_size * target ** 2) / work(target)).toFixed(0)}% of it), ` +
      `${((grown[last]! * memoryRatio) / 1024).toFixed(1)} GB of activations (x${memoryRatio})`,
  );
  await encoder.release();
}

await main();
