/**
 * The piscina worker: loads the model once, holds its own Postgres connection, and for each batch
 * embeds the texts, writes them and commits before reporting back. The default export is a promise of
 * the handler, which piscina awaits, so start-up cost is paid once per thread.
 */
import pg from 'pg';
import { workerData } from 'piscina';
import type { BatchResult, BatchTask, WorkerConfig } from '../src/batch-task.js';
import { BatchWriter } from './batch-writer.js';
import { Encoder } from './encoder.js';

const config = workerData as WorkerConfig;

async function connect(): Promise<BatchWriter> {
  const client = new pg.Client(config.connection);
  // A dropped connection is reported on the next query; without a listener it would kill the thread.
  client.on('error', () => undefined);
  await client.connect();
  return BatchWriter.open(client, config.plan);
}

async function start(): Promise<(task: BatchTask) => Promise<BatchResult>> {
  const [encoder, writer] = await Promise.all([
    Encoder.open({
      modelDir: config.modelDir,
      onnxFile: config.onnxFile,
      maxSequenceLength: config.maxSequenceLength,
      threads: config.threads,
      device: config.device,
      maxBatchTokens: config.maxBatchTokens,
    }),
    connect(),
  ]);
  return async function embedBatch(task: BatchTask): Promise<BatchResult> {
    const encoded = await encoder.encode(task.texts);
    const writeStartedAt = performance.now();
    await writer.write(task.ids, task.texts, encoded.vectors, encoded.dimension);
    return {
      seq: task.seq,
      written: task.ids.length,
      truncatedIds: task.ids.filter((_, i) => encoded.truncated[i]),
      tokenCounts: encoded.tokenCounts,
      realTokens: encoded.realTokens,
      paddedTokens: encoded.paddedTokens,
      tokenizeMs: encoded.tokenizeMs,
      inferenceMs: encoded.inferenceMs,
      writeMs: performance.now() - writeStartedAt,
    };
  };
}

export default start();
