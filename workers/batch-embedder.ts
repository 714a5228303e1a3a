/**
 * One worker task: tokenize each row once, measure it, and run the model only on inputs not met
 * before. Rows of the task with the same model input (see input-key.ts) share one inference; an input
 * whose vector the target already holds, written by an earlier task, another worker or an earlier run,
 * is not run at all: its row goes to the stage without a vector and the merge copies the stored one on
 * the server; and an input another worker is running right now is waited for rather than run twice
 * (input-claims.ts). Nothing grows with the table: the target and a fixed-size shared table are the
 * only memory of what was embedded. In a metrics-only run the model is never loaded.
 *
 * A worker runs two tasks at once so that one writes while the other computes; tokenizing and running
 * the model pass the compute gate (compute-gate.ts), waiting for the database and for other tasks' inputs
 * does not. A task that arrives while the other runs the model tokenizes between its runs and asks the
 * target for its inputs meanwhile, so that it is ready to run the model when the other is done.
 */
import { threadId } from 'node:worker_threads';
import type { BatchResult, BatchTask, WorkerConfig } from '../common/batch-task.js';
import { charCount, wordCount } from '../common/text-metrics.js';
import { contentHash } from './batch-writer.js';
import { ComputeGate } from '../common/compute-gate.js';
import type { StageRow } from '../common/stage-row.js';
import { Encoder } from './encoder.js';
import { InputClaims, type Claim } from '../common/input-claims.js';
import { inputKey } from './input-key.js';
import type { ReconnectingWriter } from './reconnecting-writer.js';
import { TextTokenizer, type TokenizedText } from './text-tokenizer.js';

interface Inference {
  rowsInferred: number;
  realTokens: number;
  paddedTokens: number;
  /** Running the model, and waiting for another worker to finish an input this task shares. */
  inferenceMs: number;
  lookupMs: number;
}

const noInference: Inference = { rowsInferred: 0, realTokens: 0, paddedTokens: 0, inferenceMs: 0, lookupMs: 0 };

export class BatchEmbedder {
  private constructor(
    private readonly tokenize: (texts: readonly string[]) => TokenizedText[],
    readonly encoder: Encoder | undefined,
    private readonly claims: InputClaims,
    readonly gate: ComputeGate,
  ) {}

  /** Frees the ONNX session once its timing runs are over; the embedder is not used after this. */
  async release(): Promise<void> {
    await this.timed.catch(() => undefined);
    await this.encoder?.release();
  }

  /**
   * Settles once the session's run cost is timed (see Encoder.load). A task waits for it before it
   * tokenizes: the timing reads the clock, which would count work in between as the runs'.
   */
  get timed(): Promise<void> {
    return this.encoder?.timed ?? Promise.resolve();
  }

  static async open(config: WorkerConfig): Promise<BatchEmbedder> {
    const claims = new InputClaims(config.inputClaims);
    const gate = new ComputeGate(config.computeGate);
    // The model's document prompt is part of what the model reads: it is tokenized, counted and keyed with the text.
    const { prompt, ...output } = config.profile;
    const prompted = (texts: readonly string[]) => (prompt === '' ? texts : texts.map((text) => prompt + text));
    if (!config.runModel) {
      const tokenizer = await TextTokenizer.load(config.modelDir, config.maxSequenceLength);
      return new BatchEmbedder((texts) => prompted(texts).map((text) => tokenizer.tokenize(text)), undefined, claims, gate);
    }
    const encoder = await Encoder.load({
      modelDir: config.modelDir,
      onnxFile: config.onnxFile,
      maxSequenceLength: config.maxSequenceLength,
      threads: config.threads,
      device: config.device,
      maxBatchTokens: config.maxBatchTokens,
      output,
    });
    return new BatchEmbedder((texts) => encoder.tokenize(prompted(texts)), encoder, claims, gate);
  }

  /** Vectors of texts with the given prompt put before each, in order, written nowhere (a search query, a library call). */
  async embedTexts(texts: readonly string[], prompt: string): Promise<Float32Array[]> {
    if (this.encoder === undefined) throw new Error('the model is not loaded in a metrics-only pool');
    const encoder = this.encoder;
    if (texts.length === 0) return [];
    const embedded = await this.gate.withPermit(() => encoder.embedTokenized(encoder.tokenize(texts.map((text) => prompt + text))));
    return texts.map((_, i) => embedded.vectors.slice(i * embedded.dimension, (i + 1) * embedded.dimension));
  }

  /** Embeds (or only measures) the task's rows, writes them and commits. */
  async embed(task: BatchTask, writer: ReconnectingWriter): Promise<BatchResult> {
    const { tokenized, tokenizeMs } = await this.gate.alongside(() => {
      const startedAt = performance.now();
      return { tokenized: this.tokenize(task.texts), tokenizeMs: performance.now() - startedAt };
    });
    const rows: StageRow[] = task.ids.map((id, i) => {
      const text = task.texts[i]!;
      return {
        id,
        vector: null,
        contentHash: contentHash(text),
        inputKey: null,
        tokenCount: tokenized[i]!.fullLength,
        truncated: tokenized[i]!.truncated,
        charCount: charCount(text),
        wordCount: wordCount(text),
      };
    });
    // Held until the commit, whatever happens: a waiting worker then finds the vector stored, or not.
    const claims: Claim[] = [];
    try {
      const inference = this.encoder === undefined ? noInference : await this.embedDistinct(this.encoder, rows, tokenized, writer, claims);
      const writeStartedAt = performance.now();
      await writer.write(rows);
      return {
        seq: task.seq,
        workers: [threadId],
        written: rows.length,
        rowsInferred: inference.rowsInferred,
        truncatedIds: rows.filter((row) => row.truncated).map((row) => row.id),
        realTokens: inference.realTokens,
        paddedTokens: inference.paddedTokens,
        tokenizeMs,
        inferenceMs: inference.inferenceMs,
        writeMs: performance.now() - writeStartedAt + inference.lookupMs,
      };
    } finally {
      for (const claim of claims) this.claims.release(claim);
    }
  }

  /** Gives every row its input key, and a vector unless the target holds (or is about to hold) one. */
  private async embedDistinct(
    encoder: Encoder,
    rows: StageRow[],
    tokenized: readonly TokenizedText[],
    writer: ReconnectingWriter,
    claims: Claim[],
  ): Promise<Inference> {
    // The first row with each input stands for all rows with it.
    const firstWith = new Map<string, number>();
    const firstOf = rows.map((row, i) => {
      row.inputKey = inputKey(tokenized[i]!.ids);
      const key = row.inputKey.toString('hex');
      const first = firstWith.get(key) ?? i;
      firstWith.set(key, first);
      return first;
    });
    const taken = this.claims.claimAll([...firstWith.values()].map((i) => rows[i]!.inputKey!));
    claims.push(...taken);
    const claimOf = new Map([...firstWith.keys()].map((key, position) => [key, taken[position]!]));
    const inference = { ...noInference };
    const lookup = async (keys: string[]) => {
      const startedAt = performance.now();
      const stored = await writer.storedInputs(keys.map((key) => rows[firstWith.get(key)!]!.inputKey!));
      inference.lookupMs += performance.now() - startedAt;
      return keys.filter((key) => !stored.has(key));
    };
    const runModel = async (keys: string[]) => {
      const startedAt = performance.now();
      const indices = keys.map((key) => firstWith.get(key)!);
      const embedded = await encoder.embedTokenized(indices.map((i) => tokenized[i]!));
      indices.forEach((rowIndex, position) => {
        rows[rowIndex]!.vector = embedded.vectors.subarray(position * embedded.dimension, (position + 1) * embedded.dimension);
      });
      inference.rowsInferred += indices.length;
      inference.realTokens += embedded.realTokens;
      inference.paddedTokens += embedded.paddedTokens;
      inference.inferenceMs += performance.now() - startedAt;
    };
    const embed = async (keys: string[]) => {
      // Nothing to run (every input stored already): no reason to wait for a permit.
      if (keys.length === 0) return;
      await this.gate.withPermit(() => runModel(keys));
    };

    const missing = await lookup([...firstWith.keys()]);
    const beingRun = (key: string) => claimOf.get(key)!.kind === 'earlier';
    await embed(missing.filter((key) => !beingRun(key)));
    const awaited = missing.filter(beingRun);
    if (awaited.length > 0) {
      const startedAt = performance.now();
      await Promise.all(awaited.map((key) => this.claims.waitFor(claimOf.get(key) as Claim & { kind: 'earlier' })));
      inference.inferenceMs += performance.now() - startedAt;
      // What the earlier task did not commit after all (it failed, or its thread died) is run here.
      await embed(await lookup(awaited));
    }
    // A repeat shares its first row's vector, or like it leaves the merge to copy the stored one.
    rows.forEach((row, i) => {
      row.vector = rows[firstOf[i]!]!.vector;
    });
    return inference;
  }
}
