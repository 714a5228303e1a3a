/**
 * `npm run bench:tokenizer`: how many word pieces per row a generated minilm-l6-random tokenizer gives
 * next to the real all-MiniLM-L6-v2 tokenizer, on a seeded random sample of a corpus. Two generated ones:
 * learned from the project's generated English (what a clone without a real tokenizer gets), and learned
 * from other lines of the same corpus (what --learn-from a table's text gives). No model is run.
 *
 *   node dist/bench/tokenizer-bench.js [--corpus FILE] [--tokenizer DIR] [--sample 5000] [--learn 100000] [--seed 1]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { defaultCorpus } from '../scripts/load-corpus.js';
import { makeModel } from '../scripts/make-model.js';
import { SeededRandom } from '../scripts/model-maker/seeded-random.js';
import { readTokenizerNote } from '../scripts/model-maker/tokenizer-source.js';
import { packageRoot } from '../src/paths.js';
import { positiveOption } from './options.js';
import { fixed, formatTable } from './text-table.js';

const UNK_ID = 100;

function shuffled(length: number, seed: number): number[] {
  const order = Array.from({ length }, (_, i) => i);
  const random = new SeededRandom(seed);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

async function piecesPerRow(folder: string, texts: readonly string[]): Promise<{ perRow: number; unknown: number }> {
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(folder) + path.sep;
  const tokenizer = await AutoTokenizer.from_pretrained(path.basename(folder));
  let pieces = 0;
  let unknown = 0;
  for (const text of texts) {
    const ids = tokenizer.encode(text);
    pieces += ids.length;
    unknown += ids.filter((id) => id === UNK_ID).length;
  }
  return { perRow: pieces / texts.length, unknown };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string', default: defaultCorpus },
      tokenizer: { type: 'string', default: path.resolve(packageRoot, '..', 'shared', 'models', 'all-MiniLM-L6-v2') },
      sample: { type: 'string', default: '5000' },
      learn: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
    },
  });
  for (const [what, file] of [
    ['corpus', values.corpus],
    ['tokenizer folder', values.tokenizer],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${what} ${file} does not exist (--${what === 'corpus' ? 'corpus' : 'tokenizer'})`);
  }
  const sample = positiveOption(values.sample, '--sample');
  const learn = positiveOption(values.learn, '--learn');
  const lines = readFileSync(values.corpus, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const order = shuffled(lines.length, positiveOption(values.seed, '--seed'));
  const measured = order.slice(0, sample).map((i) => lines[i]!);
  const learnedFrom = order.slice(sample, sample + learn).map((i) => lines[i]!);

  const work = mkdtempSync(path.join(os.tmpdir(), 'tokenizer-bench-'));
  try {
    const learnFile = path.join(work, 'learn.txt');
    writeFileSync(learnFile, learnedFrom.join('\n'));
    const folders: [string, string][] = [
      ['real (copied)', await makeModel('minilm-l6-random', { modelsDir: path.join(work, 'real'), tokenizerFrom: values.tokenizer })],
      ['generated English', await makeModel('minilm-l6-random', { modelsDir: path.join(work, 'generated') })],
      [
        `${learnedFrom.length} other corpus lines`,
        await makeModel('minilm-l6-random', { modelsDir: path.join(work, 'corpus'), learnFrom: learnFile }),
      ],
    ];
    const rows: string[][] = [];
    let real = 0;
    for (const [label, folder] of folders) {
      const { perRow, unknown } = await piecesPerRow(folder, measured);
      if (real === 0) real = perRow;
      rows.push([label, fixed(perRow, 2), fixed(perRow / real, 3), String(unknown), (await readTokenizerNote(folder))?.description ?? '']);
    }
    console.log(`${measured.length} random lines of ${values.corpus} (seed ${values.seed}); real tokenizer ${values.tokenizer}\n`);
    console.log(formatTable(['tokenizer', 'pieces/row', 'vs real', '[UNK]', 'what'], rows));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:tokenizer: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
