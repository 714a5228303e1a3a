/**
 * How fast the bare encoder goes (tokenize + session run + pooling, no database): the ceilings the
 * engine is compared against. Sessions run in piscina worker threads, as in the engine, so that several
 * single-threaded sessions really run side by side; all of them are loaded and warm before the clock
 * starts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { fewestRuns, planMicroBatches } from '../workers/micro-batches.js';
import { TextTokenizer } from '../workers/text-tokenizer.js';
import type { EncoderTask, EncoderTaskResult, EncoderWorkerConfig } from './encoder-worker.js';
import { loadAverage } from './machine-facts.js';

export interface EncoderModel {
  dir: string;
  onnxFile: string;
  maxSequenceLength: number;
}

export interface SessionLayout {
  sessions: number;
  threadsPerSession: number;
}

export interface Throughput {
  /** What was measured, e.g. "batch 32 in table order". */
  label: string;
  sessions: number;
  threadsPerSession: number;
  /** Rows per encode call; null when the rows were planned by token budget over the whole set. */
  batchSize: number | null;
  /** Padded tokens per session run; null when unbounded (one run per encode call). */
  maxBatchTokens: number | null;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  realTokens: number;
  paddedTokens: number;
  /** Real (unpadded) tokens per second. */
  tokensPerSecond: number;
  /** Padded tokens computed per real token. */
  paddingWaste: number;
  /** Share of the workers' busy time spent tokenizing. */
  tokenizeShare: number;
  /** CPU time the bench process got per second of the measurement: below the core count, someone else had the rest. */
  coresUsed: number;
  /** 1-minute load average at the end of the measurement. */
  loadAverage: number;
}

export interface SortedCeiling {
  best: Throughput;
  tried: Throughput[];
}

const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'encoder-worker.js');

/** No budget (and no padding cap): every encode call is one session run, padded to its longest text. */
const unbounded = Number.MAX_SAFE_INTEGER;

/**
 * Batches of `batchSize` texts in table order. With no budget this is plain batching, what a simple
 * script does; with the engine's budget it is the engine's own batching without the database.
 */
export function batchedThroughput(
  model: EncoderModel,
  texts: readonly string[],
  options: SessionLayout & { batchSize: number; maxBatchTokens?: number; label: string },
): Promise<Throughput> {
  const batches: string[][] = [];
  for (let start = 0; start < texts.length; start += options.batchSize) batches.push(texts.slice(start, start + options.batchSize));
  return measure(model, batches, options, {
    label: options.label,
    batchSize: options.batchSize,
    maxBatchTokens: options.maxBatchTokens ?? null,
  });
}

/**
 * The best any batching can do: every text sorted by token count and cut into runs by a token budget,
 * tried for each budget. The runs are handed out longest first so that no long one is left for the end
 * while the other sessions idle.
 */
export async function sortedCeiling(
  model: EncoderModel,
  texts: readonly string[],
  options: SessionLayout & { budgets: readonly number[] },
): Promise<SortedCeiling> {
  const lengths = await tokenCounts(model, texts);
  const tried: Throughput[] = [];
  for (const budget of options.budgets) {
    // Bounded by the budget alone, not by the engine's bound on attention: the ceiling is what batching allows at any memory.
    const runs = planMicroBatches(lengths, budget, undefined, Number.POSITIVE_INFINITY).reverse();
    tried.push(
      await measure(
        model,
        runs.map((run) => run.map((index) => texts[index]!)),
        options,
        { label: `all sorted, budget ${budget}`, batchSize: null, maxBatchTokens: budget },
      ),
    );
  }
  const best = tried.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  return { best, tried };
}

/** Word pieces per text after truncation, as the encoder will see them. */
export async function tokenCounts(model: EncoderModel, texts: readonly string[]): Promise<number[]> {
  const tokenizer = await TextTokenizer.load(model.dir, model.maxSequenceLength);
  return texts.map((text) => tokenizer.tokenize(text).ids.length);
}

async function measure(
  model: EncoderModel,
  batches: string[][],
  layout: SessionLayout,
  what: Pick<Throughput, 'label' | 'batchSize' | 'maxBatchTokens'>,
): Promise<Throughput> {
  const workerData: EncoderWorkerConfig = {
    modelDir: model.dir,
    onnxFile: model.onnxFile,
    maxSequenceLength: model.maxSequenceLength,
    threads: layout.threadsPerSession,
    maxBatchTokens: what.maxBatchTokens ?? unbounded,
    // Without a budget this is plain batching: one run per call, however uneven its rows.
    runCost: what.maxBatchTokens === null ? fewestRuns : undefined,
  };
  const pool = new Piscina<EncoderTask, EncoderTaskResult>({
    filename: workerFile,
    workerData,
    minThreads: layout.sessions,
    maxThreads: layout.sessions,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  try {
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    await Promise.all(Array.from({ length: layout.sessions }, () => pool.run({ barrier, parties: layout.sessions })));
    const totals = { rows: 0, realTokens: 0, paddedTokens: 0, tokenizeMs: 0, inferenceMs: 0 };
    let next = 0;
    // Two batches per session in flight: one running, one waiting, so no session idles between batches.
    const lane = async () => {
      while (next < batches.length) {
        const result = await pool.run({ texts: batches[next++]! });
        totals.rows += result.rows;
        totals.realTokens += result.realTokens;
        totals.paddedTokens += result.paddedTokens;
        totals.tokenizeMs += result.tokenizeMs;
        totals.inferenceMs += result.inferenceMs;
      }
    };
    const startedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    await Promise.all(Array.from({ length: layout.sessions * 2 }, lane));
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      ...what,
      sessions: layout.sessions,
      threadsPerSession: layout.threadsPerSession,
      rows: totals.rows,
      seconds,
      rowsPerSecond: totals.rows / seconds,
      realTokens: totals.realTokens,
      paddedTokens: totals.paddedTokens,
      tokensPerSecond: totals.realTokens / seconds,
      paddingWaste: totals.realTokens > 0 ? totals.paddedTokens / totals.realTokens : 1,
      tokenizeShare: totals.tokenizeMs / Math.max(totals.tokenizeMs + totals.inferenceMs, 1e-9),
      coresUsed: (cpu.user + cpu.system) / 1e6 / seconds,
      loadAverage: loadAverage(),
    };
  } finally {
    await pool.destroy();
  }
}
