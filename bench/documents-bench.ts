/**
 * `npm run bench:documents`: long documents cut into chunks by `--chunk 256:32`, end to end. A seeded
 * table of documents (documents-table.ts: corpus sentences run together, 200 to 5,000 word pieces) is
 * embedded by the real CLI with `--chunk`, and measured against:
 *   - the bare encoder on the very same chunks (chunkText, run here), sorted and cut by a token budget,
 *     one single-threaded session per worker: chunks/s and tokens/s of the engine over those of the
 *     encoder (target >= 0.9);
 *   - a sentence run of the same model and workers on as many corpus sentences as there are chunks:
 *     peak RSS of the chunk run over the sentence run's (target <= 1.1).
 * Also the chunker's own speed (MB of text per second, one thread) and the padding of both.
 *
 *   npm run bench:documents -- [--documents 5000] [--model minilm-l6-random] [--dtype q8] [--chunk 256:32]
 *        [--workers CORES] [--budgets 2048,4096,8192] [--corpus FILE] [--database-url URL] [--out-dir DIR]
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaults } from '../src/config/defaults.js';
import type { Dtype } from '../src/model/model-folder.js';
import { checkChunkWindow, parseChunkWindow } from '../common/chunk-window.js';
import { chunkText } from '../workers/chunker.js';
import { TextTokenizer } from '../workers/text-tokenizer.js';
import { benchModel } from './bench-model.js';
import { corpusLines, loadTexts, makeDocuments } from './documents-table.js';
import { embedBin } from './embed-process.js';
import { sortedCeiling, type Throughput } from './encoder-throughput.js';
import { runEngine, type EngineRun } from './engine-run.js';
import { formatMachineFacts, machineFacts } from './machine-facts.js';
import { dtypeOption, listOption, positiveOption } from './options.js';
import { resultsDir, resultStem, writeResult } from './results-file.js';
import { fixed, formatTable } from './text-table.js';

const TABLE = 'documents_bench';
const SENTENCES = 'documents_bench_sentences';
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Whether this build's CLI takes --chunk (its help lists it). */
function cliTakesChunk(): boolean {
  const help = execFileSync(process.execPath, [embedBin, '--help'], { encoding: 'utf8' });
  return /--chunk\b/.test(help);
}

interface ChunkRun {
  run: EngineRun;
  chunks: number;
  tokens: number;
  chunksPerSecond: number;
  tokensPerSecond: number;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      documents: { type: 'string', default: '5000' },
      model: { type: 'string', default: 'minilm-l6-random' },
      dtype: { type: 'string', default: 'q8' },
      chunk: { type: 'string', default: '256:32' },
      workers: { type: 'string', default: String(os.availableParallelism()) },
      budgets: { type: 'string', default: '2048,4096,8192' },
      corpus: { type: 'string' },
      'database-url': { type: 'string' },
      'out-dir': { type: 'string', default: resultsDir },
    },
  });
  const count = positiveOption(values.documents, '--documents');
  const workers = positiveOption(values.workers, '--workers');
  const budgets = listOption(values.budgets, '--budgets').map((b) => positiveOption(b, '--budgets'));
  const dtype: Dtype = dtypeOption(values.dtype);
  const window = parseChunkWindow(values.chunk, '--chunk');
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const model = await benchModel(values.model, dtype);
  const tokenizer = await TextTokenizer.load(model.dir, model.maxSequenceLength);
  checkChunkWindow(window, model.maxSequenceLength, 0, tokenizer.count(''));
  const machine = machineFacts();
  const startedAt = new Date();
  log(
    `bench:documents: ${count} documents, ${values.model} ${dtype}, --chunk ${values.chunk}, ${workers} workers\n${formatMachineFacts(machine)}`,
  );

  const { lines, source } = corpusLines(values.corpus);
  const documents = makeDocuments(lines, count, tokenizer);
  const chunkStarted = performance.now();
  const chunks = documents.flatMap((document) => chunkText(document, '', window, tokenizer));
  const chunkSeconds = (performance.now() - chunkStarted) / 1000;
  const megabytes = documents.reduce((sum, d) => sum + Buffer.byteLength(d), 0) / 2 ** 20;
  const chunkTokens = chunks.reduce((sum, chunk) => sum + chunk.tokenCount, 0);
  log(
    `documents: ${fixed(megabytes, 1)} MB from ${source}; chunkText: ${chunks.length} chunks, ${chunkTokens} tokens, ` +
      `${fixed(chunkSeconds, 1)} s (${fixed(megabytes / chunkSeconds, 2)} MB/s on one thread)`,
  );

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await loadTexts(client, TABLE, documents);
    await loadTexts(client, SENTENCES, lines.slice(0, Math.min(chunks.length, lines.length)));
  } finally {
    await client.end();
  }

  log('bare encoder on the same chunks...');
  const ceiling = await sortedCeiling(
    model,
    chunks.map((chunk) => chunk.text),
    { budgets, sessions: workers, threadsPerSession: 1 },
  );
  log(`  ${fixed(ceiling.best.rowsPerSecond)} chunks/s, ${fixed(ceiling.best.tokensPerSecond, 0)} tokens/s (${ceiling.best.label})`);

  const engine = { batchSize: defaults.batchSize, workers, model: model.dir, dtype, databaseUrl };
  log('sentence run of the same model...');
  const sentenceRun = await runEngine({ ...engine, table: SENTENCES, target: `${SENTENCES}_embeddings` });
  log(`  ${fixed(sentenceRun.report.rowsPerSecond)} rows/s, peak RSS ${fixed(sentenceRun.peakRssMb, 0)} MB`);

  let chunkRun: ChunkRun | undefined;
  if (cliTakesChunk()) {
    log('chunk run...');
    const run = await runEngine({ ...engine, table: TABLE, target: `${TABLE}_chunks`, extraArgs: ['--chunk', values.chunk] });
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const stored = await check
      .query<{ chunks: number; tokens: string }>(`SELECT count(*)::int AS chunks, sum(token_count)::text AS tokens FROM ${TABLE}_chunks`)
      .finally(() => check.end());
    const { chunks: storedChunks, tokens } = stored.rows[0]!;
    const seconds = run.report.elapsedSeconds;
    chunkRun = {
      run,
      chunks: storedChunks,
      tokens: Number(tokens),
      chunksPerSecond: storedChunks / seconds,
      tokensPerSecond: Number(tokens) / seconds,
    };
    if (storedChunks !== chunks.length) log(`  note: the engine stored ${storedChunks} chunks, chunkText made ${chunks.length}`);
  }

  printResults(ceiling.best, sentenceRun, chunkRun);
  const file = writeResult(
    path.resolve(values['out-dir']),
    `${resultStem('documents-bench', startedAt)}.json`,
    `${JSON.stringify(
      {
        kind: 'documents-bench',
        startedAt: startedAt.toISOString(),
        machine,
        model: values.model,
        dtype,
        chunk: window,
        workers,
        corpus: source,
        documents: { count, megabytes, chunks: chunks.length, tokens: chunkTokens, chunkSeconds },
        encoder: ceiling,
        sentenceRun,
        chunkRun: chunkRun ?? null,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
  if (!chunkRun) {
    log("bench:documents: this build of embed has no --chunk option, so the engine's chunk run cannot be measured; the rest is above");
    return 1;
  }
  return 0;
}

function printResults(encoder: Throughput, sentenceRun: EngineRun, chunkRun: ChunkRun | undefined): void {
  const rows = [
    ['bare encoder, same chunks', fixed(encoder.rowsPerSecond), fixed(encoder.tokensPerSecond, 0), fixed(encoder.paddingWaste, 2), '-'],
    [
      'sentence run (engine)',
      fixed(sentenceRun.report.rowsPerSecond),
      '-',
      fixed(sentenceRun.report.paddingWaste, 2),
      fixed(sentenceRun.peakRssMb, 0),
    ],
  ];
  if (chunkRun) {
    rows.push([
      'chunk run (engine)',
      fixed(chunkRun.chunksPerSecond),
      fixed(chunkRun.tokensPerSecond, 0),
      fixed(chunkRun.run.report.paddingWaste, 2),
      fixed(chunkRun.run.peakRssMb, 0),
    ]);
  }
  process.stdout.write(`\n${formatTable(['run', 'chunks (rows)/s', 'tokens/s', 'padding', 'peak RSS MB'], rows)}`);
  if (!chunkRun) return;
  const speed = chunkRun.tokensPerSecond / encoder.tokensPerSecond;
  const memory = (chunkRun.run.peakRssMb ?? Number.NaN) / (sentenceRun.peakRssMb ?? Number.NaN);
  process.stdout.write(
    `chunk run / bare encoder: ${fixed(chunkRun.chunksPerSecond / encoder.rowsPerSecond, 2)} in chunks/s, ${fixed(speed, 2)} in tokens/s (target >= 0.9: ${speed >= 0.9 ? 'holds' : 'misses'})\n` +
      `peak RSS, chunk run / sentence run: ${fixed(memory, 2)} (target <= 1.1: ${memory <= 1.1 ? 'holds' : 'misses'})\n`,
  );
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench:documents: ${(error as Error).message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
