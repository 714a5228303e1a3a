/**
 * `npm run demo`: the main job on a fresh machine with nothing installed by hand. Starts an embedded
 * PostgreSQL in .demo/, loads sample sentences into `sentences`, runs `embed sentences 100 --workers 8`
 * (the real CLI), and prints the nearest neighbours of a query sentence from the stored embeddings.
 *
 *   npm run demo -- ["query sentence"] [--rows N]      (EMBED_DEMO_ROWS=N works too; default 20,000)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { embeddedServer, embeddedServerUrl } from './embedded-postgres.js';
import { freePortOn } from './free-port.js';
import { loadCorpus } from './load-corpus.js';
import { ensureModel } from './make-model.js';
import { readTokenizerNote } from './model-maker/tokenizer-source.js';
import { resolveModel } from '../src/model/model-folder.js';
import { modelsDir, packageRoot } from '../src/paths.js';
import { Encoder } from '../workers/encoder.js';
import { encodeTexts } from './encode-texts.js';

const realModel = 'Xenova/all-MiniLM-L6-v2';
const demoDir = path.join(packageRoot, '.demo');
const usage = 'usage: npm run demo -- ["query sentence"] [--rows N]';

function demoOptions(): { query: string; rows: number } {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rows: { type: 'string' } } });
  const rowsText = values.rows ?? process.env.EMBED_DEMO_ROWS ?? '20000';
  const rows = Number(rowsText);
  if (!/^\d+$/.test(rowsText) || rows < 1)
    throw new Error(`--rows (or EMBED_DEMO_ROWS) must be a whole number above 0, got ${rowsText}; ${usage}`);
  if (positionals.length > 1) throw new Error(`one query sentence at most (quote it); ${usage}`);
  return { query: positionals[0] ?? 'The weather is lovely today.', rows };
}

async function main(): Promise<void> {
  const { query, rows } = demoOptions();
  const port = await freePortOn('127.0.0.1');
  const server = await embeddedServer({ databaseDir: path.join(demoDir, 'pgdata'), password: 'postgres', port, persistent: true });
  if (!existsSync(path.join(demoDir, 'pgdata', 'PG_VERSION'))) await server.initialise();
  await server.start();
  const databaseUrl = embeddedServerUrl(port, 'postgres');
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const loaded = await loadCorpus(client, { table: 'sentences', rows });
    console.log(`sentences: ${loaded.rows} rows (${loaded.created ? `loaded from ${loaded.source}` : 'kept from an earlier demo'})`);

    const model = await pickModel();
    const code = await runEmbed(
      ['sentences', '100', '--workers', '8', '--model', model.name, '--state', path.join(demoDir, 'state.sqlite')],
      databaseUrl,
    );
    if (code !== 0) throw new Error(`embed exited with ${code}`);

    await printNeighbours(client, model.name, query);
    if (model.meaningless) {
      console.log("\nThe model hub was not reachable, so this ran minilm-l6-random: all-MiniLM-L6-v2's architecture with");
      console.log('random weights and the tokenizer named above. Speed is real; the neighbours above are meaningless.');
    }
  } finally {
    await client.end();
    await server.stop();
  }
}

async function pickModel(): Promise<{ name: string; meaningless: boolean }> {
  try {
    await resolveModel(realModel, 'fp32', { modelsDir: modelsDir(), allowDownload: true });
    return { name: realModel, meaningless: false };
  } catch {
    console.log(`${realModel} is not available offline; generating minilm-l6-random instead`);
    const folder = await ensureModel('minilm-l6-random');
    const note = await readTokenizerNote(folder);
    console.log(`minilm-l6-random tokenizer: ${note?.description ?? 'unknown'}`);
    return { name: path.basename(folder), meaningless: true };
  }
}

function runEmbed(args: string[], databaseUrl: string): Promise<number | null> {
  console.log(`$ embed ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(packageRoot, 'bin', 'embed.js'), ...args], {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

async function printNeighbours(client: pg.Client, modelName: string, text: string): Promise<void> {
  const model = await resolveModel(modelName, 'fp32', { modelsDir: modelsDir(), allowDownload: false });
  const encoder = await Encoder.open({
    modelDir: model.dir,
    onnxFile: model.onnxFile,
    maxSequenceLength: model.maxSequenceLength,
    threads: 1,
    device: 'cpu',
    maxBatchTokens: 4096,
  });
  const { vectors } = await encodeTexts(encoder, [text]);
  await encoder.release();
  // Vectors are unit length, so the dot product is the cosine similarity.
  const result = await client.query<{ score: number; text: string }>(
    `SELECT (SELECT sum(a * b) FROM unnest(e.embedding::real[], $1::real[]) AS t(a, b))::float8 AS score, s.text
       FROM sentences_embeddings e JOIN sentences s USING (id) ORDER BY score DESC LIMIT 5`,
    [Array.from(vectors)],
  );
  console.log(`\nnearest neighbours of "${text}":`);
  for (const row of result.rows) console.log(`  ${row.score.toFixed(3)}  ${row.text}`);
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
