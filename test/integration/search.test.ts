/**
 * `embed search` and the library (imported by its package name, as a user's code does), against a real
 * PostgreSQL (real[]: exact cosine on the server) and PGlite with pgvector (the <=> operator): a row's own
 * text finds that row first; the query prompt of an e5-like profile is applied, equal to transformers.js's
 * pipeline on `query: ` + text; embedDocuments equals what the run stored; and the one-line errors.
 */
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { openEmbedder, search } from 'embed';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { createTableOfTexts, textFor } from '../helpers/fixtures.js';
import { startPgliteServer } from '../helpers/pglite-server.js';

// Distinct texts (each ends with its row number), no NULL or empty one.
const texts = Array.from({ length: 40 }, (_, i) => textFor(i + 1)!);
/** What the command shows of a text: one line, cut at 80 characters. */
const snippet = (text: string) => (text.length <= 80 ? text : `${text.slice(0, 79)}…`);
// A query short enough that neither side truncates it (transformers.js's pipeline does not).
const shortQuery = 'river stone quick light';

describe('embed search', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-search-', (db) => createTableOfTexts(db.client, 'sentences', texts));
  const state = () => path.join(fixture.dir, 'state.sqlite');
  const cli = (...args: string[]) => runCli([...args, '--database-url', fixture.db.url, '--state', state()]);

  it("finds a row by its own text first, computing the cosine exactly on real[]; the library's search agrees", async () => {
    const run = await cli('sentences', '--workers', '1', '--model', modelDir);
    expect(run.code, run.stderr).toBe(0);
    const found = await cli('search', 'sentences', texts[16]!, '-k', '3', '--model', modelDir);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stderr).toMatch(/^exact search: .*"sentences_embeddings" holds real\[\].*CREATE EXTENSION vector/);
    const lines = found.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`17\t1.0000\t${snippet(texts[16]!)}`);
    const json = JSON.parse((await cli('search', 'sentences', texts[4]!, '-k', '2', '--model', modelDir, '--json')).stdout);
    expect(json.format).toBe('real[]');
    expect(json.hits[0]).toEqual({ id: '5', similarity: expect.closeTo(1, 5), text: texts[4] });
    expect(json.hits[1].similarity).toBeLessThan(json.hits[0].similarity);

    const library = await search(fixture.db.url, 'sentences', texts[29]!, { k: 1, state: state(), model: modelDir });
    expect(library.hits).toEqual([{ id: '30', similarity: expect.closeTo(1, 5), text: texts[29] }]);
  });

  it('says in one line what is wrong: an empty query, no job for the table, vectors of another model', async () => {
    const empty = await cli('search', 'sentences', '  ', '--model', modelDir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^embed: the query is empty; give the text to search for/);
    const noText = await runCli(['search', 'sentences']);
    expect(noText.code).toBe(2);
    expect(noText.stderr).toMatch(/^embed: which table, and what text\? give both: embed search <table> "text"/);
    const badK = await cli('search', 'sentences', 'river', '-k', 'ten');
    expect(badK.code).toBe(2);
    expect(badK.stderr).toMatch(/^embed: -k must be a whole number of rows, 1 or more \(got "ten"\)/);
    await fixture.db.client.query('CREATE TABLE others (id int PRIMARY KEY, text text)');
    const noJob = await cli('search', 'others', 'river');
    expect(noJob.code).toBe(1);
    expect(noJob.stderr).toMatch(/^embed: state file .* has no job for "public"\."others" with these flags; pass the --state/);
    // A folder of the same name whose weights differ: the job's model by name, not by its file hash.
    const other = path.join(fixture.dir, 'elsewhere', path.basename(modelDir));
    cpSync(modelDir, other, { recursive: true });
    appendFileSync(path.join(other, 'onnx', 'model.onnx'), Buffer.from([0]));
    const wrong = await cli('search', 'sentences', 'river', '--model', other);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^embed: "public"\."sentences_embeddings" holds vectors of .* but .* is [0-9a-f]{12}: .*pass the --model \(and --dtype\) the job ran with\n/,
    );
  });

  it("applies the profile's query prompt, and embedDocuments gives the stored vectors", async () => {
    const e5Like = path.join(fixture.dir, 'e5-like');
    cpSync(modelDir, e5Like, { recursive: true });
    writeFileSync(
      path.join(e5Like, 'config_sentence_transformers.json'),
      JSON.stringify({ prompts: { query: 'query: ', passage: 'passage: ' } }),
    );
    const run = await cli('sentences', '--workers', '1', '--model', e5Like, '--target', 'e5_vectors');
    expect(run.code, run.stderr).toBe(0);

    env.allowRemoteModels = false;
    env.localModelPath = path.dirname(e5Like) + path.sep;
    const extractor = await pipeline('feature-extraction', path.basename(e5Like), { dtype: 'fp32', device: 'cpu' });
    const embedder = await openEmbedder({ model: e5Like });
    let queryVector: Float32Array = new Float32Array(0);
    try {
      const query = await embedder.embedQuery(shortQuery);
      const reference = (await extractor(`query: ${shortQuery}`, { pooling: 'mean', normalize: true })).data as Float32Array;
      expect(maxAbsDifference(query, reference)).toBeLessThan(1e-5);
      queryVector = query;
      // The document side is another vector: the passage prompt is put before the text instead.
      const [document] = await embedder.embedDocuments([shortQuery]);
      expect(maxAbsDifference(document!, query)).toBeGreaterThan(1e-3);

      const stored = await storedEmbeddings(fixture.db.client, 'e5_vectors');
      const documents = await embedder.embedDocuments(texts);
      expect(stored.size).toBe(texts.length);
      const worst = Math.max(...documents.map((vector, i) => maxAbsDifference(vector, stored.get(String(i + 1))!)));
      expect(worst).toBeLessThan(1e-6);
    } finally {
      await embedder.close();
      await extractor.dispose();
    }
    // The command embeds its query the same way: the similarities it reports are those of the library's query vector.
    const found = JSON.parse(
      (await cli('search', 'sentences', shortQuery, '--model', e5Like, '--target', 'e5_vectors', '-k', '3', '--json')).stdout,
    );
    const stored = await storedEmbeddings(fixture.db.client, 'e5_vectors');
    expect(found.hits).toHaveLength(3);
    for (const hit of found.hits) {
      const vector = stored.get(hit.id)!;
      expect(hit.similarity).toBeCloseTo(
        vector.reduce((sum, v, i) => sum + v * queryVector[i]!, 0),
        5,
      );
    }
  });

  it('orders by <=> on a pgvector column (PGlite)', async () => {
    const server = await startPgliteServer({ pgvector: true, sentences: texts });
    try {
      const url = server.url;
      const pgState = path.join(fixture.dir, 'pglite.sqlite');
      const run = await runCli([
        'sentences',
        '--workers',
        '1',
        '--write-method',
        'insert',
        '--model',
        modelDir,
        '--database-url',
        url,
        '--state',
        pgState,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const found = await runCli([
        'search',
        'sentences',
        texts[21]!,
        '-k',
        '2',
        '--model',
        modelDir,
        '--database-url',
        url,
        '--state',
        pgState,
      ]);
      expect(found.code, found.stderr).toBe(0);
      expect(found.stderr).toBe('');
      expect(found.stdout.split('\n')[0]).toBe(`22\t1.0000\t${snippet(texts[21]!)}`);
    } finally {
      await server.stop();
    }
  });
});
