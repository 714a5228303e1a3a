/**
 * Text in, vectors out: tokenize, sort by length into token-budget micro-batches, run the ONNX session
 * on each, pool, truncate and normalise as the model profile says (pooling.ts), and put the vectors back
 * in the caller's order.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { attentionCellsFor, planMicroBatches, type RunCost } from './micro-batches.js';
import { measureRunCost } from './run-cost.js';
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
  /** What a session run costs, for the planner (default: measured when the session opens, see run-cost.ts). */
  runCost?: RunCost;
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
    private readonly maxAttentionCells: number,
    private runCost: RunCost | undefined,
    private readonly output: Omit<OutputProfile, 'prompt'>,
  ) {}

  /** Settles once the run cost is known (see load). */
  timed: Promise<void> = Promise.resolve();

  /** The encoder once its session is open, checked and its run cost timed. */
  static async open(options: EncoderOptions): Promise<Encoder> {
    const encoder = await Encoder.load(options);
    await encoder.timed;
    return encoder;
  }

  /**
   * The encoder once its session is open and checked, before its run cost is timed (`timed` settles
   * then; embedTokenized waits for it): a worker can say its model loaded while the timing runs, and the
   * main thread prepares the target meanwhile instead of after.
   */
  static async load(options: EncoderOptions): Promise<Encoder> {
    const [tokenizer, session] = await Promise.all([
      TextTokenizer.load(options.modelDir, options.maxSequenceLength),
      openModelSession(options.onnxFile, { threads: options.threads, device: options.device }),
    ]);
    // The attention bound keeps a CPU worker's memory flat on long rows; a GPU wants its large runs and has its own memory.
    const attentionCells = options.device === 'cuda' ? Number.POSITIVE_INFINITY : attentionCellsFor(options.maxBatchTokens);
    const output = options.output ?? meanNormalised;
    const encoder = new Encoder(tokenizer, session, options.maxBatchTokens, attentionCells, options.runCost, output);
    if (encoder.output.needsPooledOutput) await encoder.assertPooledOutput(options.onnxFile);
    if (encoder.runCost === undefined) {
      encoder.timed = measureRunCost((rows, sequenceLength) => encoder.runShape(rows, sequenceLength)).then((cost) => {
        encoder.runCost = cost;
      });
      // Whoever needs the timing awaits it and sees its failure; until then a failure is not unhandled.
      encoder.timed.catch(() => undefined);
    }
    return encoder;
  }

  /** One session run of a shape, on padding tokens: for timing only. */
  private async runShape(rows: number, sequenceLength: number): Promise<void> {
    const ids = Array.from({ length: sequenceLength }, () => this.tokenizer.padId);
    await this.runMicroBatch(Array.from({ length: rows }, () => ({ ids, fullLength: sequenceLength, truncated: false })));
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
    await this.timed;
    const lengths = tokenized.map((t) => t.ids.length);
    let vectors = new Float32Array(0);
    let dimension = 0;
    let paddedTokens = 0;
    for (const indices of planMicroBatches(lengths, this.maxBatchTokens, this.runCost, this.maxAttentionCells)) {
      const run = await this.runMicroBatch(indices.map((i) => tokenized[i]!));
      if (dimension === 0) {
        dimension = run.dimension;
        vectors = new Float32Array(tokenized.length * dimension);
      }
      for (let position = 0; position < indices.length; position++) {
        vectors.set(run.pooled.subarray(position * dimension, (position + 1) * dimension), indices[position]! * dimension);
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
    let sequenceLength = 0;
    for (const row of rows) sequenceLength = Math.max(sequenceLength, row.ids.length);
    const { inputIds, attentionMask } = modelInputs(rows, sequenceLength, this.tokenizer.padId);
    const output = await this.session.run({ inputIds, attentionMask, rows: rows.length, sequenceLength });
    const { vectors, dimension } = poolVectors(output, attentionMask, rows.length, sequenceLength, this.output);
    return { pooled: vectors, dimension, paddedTokens: rows.length * sequenceLength, pooledByGraph: output.pooled };
  }
}

/**
 * The int64 tensors of a run, rows right-padded. Written through 32-bit views of the same memory: ids and
 * mask values are small and non-negative, so each int64 is its low word with a zero high word (on a
 * little-endian machine; a big-endian one takes the BigInt path), which spares a BigInt per token.
 */
function modelInputs(rows: readonly TokenizedText[], sequenceLength: number, padId: number) {
  const inputIds = new BigInt64Array(rows.length * sequenceLength);
  const attentionMask = new BigInt64Array(rows.length * sequenceLength);
  if (!littleEndian) {
    inputIds.fill(BigInt(padId));
    rows.forEach((row, r) => {
      row.ids.forEach((id, t) => {
        inputIds[r * sequenceLength + t] = BigInt(id);
        attentionMask[r * sequenceLength + t] = 1n;
      });
    });
    return { inputIds, attentionMask };
  }
  const idWords = new Int32Array(inputIds.buffer);
  const maskWords = new Int32Array(attentionMask.buffer);
  for (let r = 0; r < rows.length; r++) {
    const ids = rows[r]!.ids;
    const start = r * sequenceLength;
    for (let t = 0; t < ids.length; t++) {
      idWords[2 * (start + t)] = ids[t]!;
      maskWords[2 * (start + t)] = 1;
    }
    if (padId !== 0) for (let t = ids.length; t < sequenceLength; t++) idWords[2 * (start + t)] = padId;
  }
  return { inputIds, attentionMask };
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
