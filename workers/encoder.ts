/**
 * Text in, vectors out: tokenize, sort by length into token-budget micro-batches, run the ONNX session
 * on each, pool, truncate and normalise as the model profile says (pooling.ts), and put the vectors back
 * in the caller's order.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { planMicroBatches } from './micro-batches.js';
import type { Device } from '../common/batch-task.js';
import { ModelError } from '../common/errors.js';
import type { OutputProfile } from '../common/output-profile.js';
import { openModelSession, type ModelSession } from './onnx-session.js';
import { poolVectors } from './pooling.js';
import type { TokenCounter } from './chunk-types.js';
import { TextTokenizer, type TokenizedText } from './text-tokenizer.js';

export interface EncoderOptions {
  modelDir: string;
  onnxFile: string;
  maxSequenceLength: number;
  threads: number;
  device: Device;
  /** Upper bound on rows x longest row for one session run. */
  maxBatchTokens: number;
  /** Cut a run when its padded tokens would exceed this multiple of its real ones (default: the planner's). */
  maxPaddingRatio?: number;
  /** Pooling, normalisation and dimensions (default: mean pooling, normalised, every dimension). */
  output?: Omit<OutputProfile, 'prompt'>;
}

const meanNormalised: Omit<OutputProfile, 'prompt'> = {
  pooling: 'mean',
  normalize: true,
  dimensions: Number.MAX_SAFE_INTEGER,
  needsPooledOutput: false,
};

/** Vectors of texts tokenized already, in the order given. */
export interface Embedded {
  /** rows x dimension, row-major (each row of length 1 when the profile normalises). */
  vectors: Float32Array;
  dimension: number;
  realTokens: number;
  paddedTokens: number;
}

export class Encoder {
  private constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly session: ModelSession,
    private readonly maxBatchTokens: number,
    private readonly maxPaddingRatio: number | undefined,
    private readonly output: Omit<OutputProfile, 'prompt'>,
  ) {}

  static async open(options: EncoderOptions): Promise<Encoder> {
    const [tokenizer, session] = await Promise.all([
      TextTokenizer.load(options.modelDir, options.maxSequenceLength),
      openModelSession(options.onnxFile, { threads: options.threads, device: options.device }),
    ]);
    const encoder = new Encoder(tokenizer, session, options.maxBatchTokens, options.maxPaddingRatio, options.output ?? meanNormalised);
    if (encoder.output.needsPooledOutput) await encoder.assertPooledOutput(options.onnxFile);
    return encoder;
  }

  /**
   * A Dense module after the pooling exists only inside a graph that outputs `sentence_embedding`;
   * pooling the token vectors instead would give other vectors without a word. One empty text tells.
   */
  private async assertPooledOutput(onnxFile: string): Promise<void> {
    const probe = await this.runMicroBatch([this.tokenizer.tokenize('')]);
    if (probe.pooledByGraph) return;
    await this.session.release();
    throw new ModelError(
      `model ${onnxFile} has a Dense module (modules.json) but its graph has no sentence_embedding output, so embed cannot apply it; ` +
        'use an ONNX export that includes the Dense layer (sentence_embedding output)',
    );
  }

  /** The model on texts tokenized already (by tokenize), vectors in the order given. */
  async embedTokenized(tokenized: readonly TokenizedText[]): Promise<Embedded> {
    const lengths = tokenized.map((t) => t.ids.length);
    let vectors = new Float32Array(0);
    let dimension = 0;
    let paddedTokens = 0;
    for (const indices of planMicroBatches(lengths, this.maxBatchTokens, this.maxPaddingRatio)) {
      const run = await this.runMicroBatch(indices.map((i) => tokenized[i]!));
      if (dimension === 0) {
        dimension = run.dimension;
        vectors = new Float32Array(tokenized.length * dimension);
      }
      for (const [position, original] of indices.entries()) {
        vectors.set(run.pooled.subarray(position * dimension, (position + 1) * dimension), original * dimension);
      }
      paddedTokens += run.paddedTokens;
      // A session run blocks the thread; between runs, the worker's other task moves its write on.
      await nextTurn();
    }
    return { vectors, dimension, realTokens: lengths.reduce((sum, length) => sum + length, 0), paddedTokens };
  }

  /** The most tokens the model reads; longer texts are truncated. */
  get maxSequenceLength(): number {
    return this.tokenizer.maxLength;
  }

  /** Token counts without truncation, for cutting chunks (chunker.ts). */
  get counter(): TokenCounter {
    return this.tokenizer;
  }

  tokenize(texts: readonly string[]): TokenizedText[] {
    return texts.map((text) => this.tokenizer.tokenize(text));
  }

  release(): Promise<void> {
    return this.session.release();
  }

  private async runMicroBatch(rows: TokenizedText[]) {
    const sequenceLength = Math.max(...rows.map((row) => row.ids.length));
    const inputIds = new BigInt64Array(rows.length * sequenceLength).fill(BigInt(this.tokenizer.padId));
    const attentionMask = new BigInt64Array(rows.length * sequenceLength);
    rows.forEach((row, r) => {
      row.ids.forEach((id, t) => {
        inputIds[r * sequenceLength + t] = BigInt(id);
        attentionMask[r * sequenceLength + t] = 1n;
      });
    });
    const output = await this.session.run({ inputIds, attentionMask, rows: rows.length, sequenceLength });
    const { vectors, dimension } = poolVectors(output, attentionMask, rows.length, sequenceLength, this.output);
    return { pooled: vectors, dimension, paddedTokens: rows.length * sequenceLength, pooledByGraph: output.pooled };
  }
}
