/**
 * `--chunk TOKENS[:OVERLAP]` through the real CLI on the test PostgreSQL: the chunk table's layout; each
 * row's chunks as the chunker cuts them (expectations computed with chunkText itself, so they hold for
 * any window search), with the vectors the encoder gives those chunks; an edited row's chunks replaced
 * whole (a row shrinking from 10 chunks to 3 keeps no seq 3-9), with either write method; deletes and
 * emptied texts; another window refused like another model; --metrics; status and search; bad values.
 *
 * Longer than 250 lines because each behaviour of a chunked job is one short case over the same table.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { search } from 'embed';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { expectedChunks, storedChunks, cut, textWithChunks, type ExpectedChunks } from '../helpers/chunks.js';
import { useTestDatabase } from '../helpers/database.js';
import { directEmbeddings, maxAbsDifference } from '../helpers/embeddings.js';
import { createTableOfTexts } from '../helpers/fixtures.js';

const words = ['river', 'stone', 'quick', 'light', 'garden', 'window', 'music', 'paper', 'winter', 'orange', 'silent', 'market'];
/** A sentence of 4 to 12 words, ending with a full stop. */
const sentence = (i: number) =>
  `${Array.from({ length: 4 + ((i * 7) % 9) }, (_, k) => words[(i * 5 + k * 7) % words.length]).join(' ')} ${i}.`;
const paragraph = (from: number, sentences: number) => Array.from({ length: sentences }, (_, k) => sentence(from + k)).join(' ');

const window = { tokens: 48, overlap: 8 };
const chunkFlag = `${window.tokens}:${window.overlap}`;

// Short texts, long ones, and the NULL, empty and blank rows real tables have.
const texts: (string | null)[] = Array.from({ length: 40 }, (_, i) =>
  i === 9 ? null : i === 19 ? '' : i === 29 ? '  \n ' : paragraph(i * 13, 1 + ((i * 11) % 17)),
);

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

describe('embed --chunk', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-chunks-', (db) => createTableOfTexts(db.client, 'docs', texts));
  const client = () => fixture.db.client;
  const state = (name: string) => path.join(fixture.dir, `${name}.sqlite`);
  const cli = (name: string, ...args: string[]) => runCli([...args, '--database-url', fixture.db.url, '--state', state(name)]);
  const embed = (name: string, ...args: string[]) => cli(name, 'docs', '--model', modelDir, '--workers', '2', '--quiet', ...args);
  let expected: ExpectedChunks;
  beforeAll(async () => {
    expected = await expectedChunks(modelDir);
  });
  const sourceTexts = async () =>
    new Map(
      (await client().query<{ id: string; text: string | null }>('SELECT id::text AS id, text FROM docs')).rows.map((r) => [r.id, r.text]),
    );

  /** Every row with text has exactly the chunks the chunker cuts, all with the row's hash; blank rows have none. */
  const expectTrueToSource = async (table: string, cutWindow = window) => {
    const stored = await storedChunks(client(), table);
    for (const [id, text] of await sourceTexts()) {
      if (text === null || text.trim() === '') {
        expect(stored.get(id), `row ${id} has blank text`).toBeUndefined();
        continue;
      }
      const chunks = stored.get(id) ?? [];
      expect(cut(chunks), `row ${id}`).toEqual(cut(expected.chunksOf(text, cutWindow)));
      expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, seq) => seq));
      const hash = md5(text);
      expect(chunks.every((c) => c.contentHash === hash)).toBe(true);
    }
    return stored;
  };

  it('writes <table>_chunks: its layout, each row cut as the chunker cuts it, the vectors of the chunks, none for blank rows', async () => {
    const run = await embed('first', '--chunk', chunkFlag, '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.target).toBe('"public"."docs_chunks"');
    expect(report.rowsEmbedded).toBe(37);
    expect(report.rowsSkipped).toBe(3);

    const columns = await client().query<{ name: string; type: string; nullable: string }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
        WHERE table_name = 'docs_chunks' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((c) => c.name)).toEqual([
      'id',
      'seq',
      'chunk',
      'char_start',
      'char_end',
      'token_count',
      'embedding',
      'model',
      'content_hash',
      'embedded_at',
    ]);
    expect(columns.rows.every((c) => c.nullable === 'NO')).toBe(true);
    const key = await client().query<{ columns: string[] }>(
      `SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS columns FROM pg_index i
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = 'docs_chunks'::regclass AND i.indisprimary`,
    );
    expect(key.rows[0]!.columns).toEqual(['id', 'seq']);
    const foreign = await client().query<{ deletes: string; refers: string }>(
      `SELECT confdeltype AS deletes, confrelid::regclass::text AS refers FROM pg_constraint
        WHERE conrelid = 'docs_chunks'::regclass AND contype = 'f'`,
    );
    expect(foreign.rows).toEqual([{ deletes: 'c', refers: 'docs' }]);

    const stored = await expectTrueToSource('docs_chunks');
    // The offsets are code points of the row's text, as substring() counts them.
    const offsets = await client().query<{ n: string }>(
      `SELECT count(*) AS n FROM docs_chunks c JOIN docs d ON d.id = c.id
        WHERE substring(d.text from c.char_start + 1 for c.char_end - c.char_start) <> c.chunk`,
    );
    expect(Number(offsets.rows[0]!.n)).toBe(0);
    // Each chunk's vector is the encoder's for the chunk alone.
    const sample = [...stored.values()].flat().slice(0, 60);
    const direct = await directEmbeddings(
      modelDir,
      sample.map((c) => c.chunk),
    );
    const worst = Math.max(...sample.map((chunk, i) => maxAbsDifference(chunk.embedding, direct[i]!)));
    expect(worst).toBeLessThan(1e-5);
    expect(new Set(sample.map((c) => c.model))).toEqual(new Set([expect.stringMatching(/ chunks 48:8$/)]));

    // Run again: nothing to do, nothing rewritten.
    const before = await client().query('SELECT id, seq, embedded_at FROM docs_chunks ORDER BY id, seq');
    const again = await embed('first', '--chunk', chunkFlag, '--json');
    expect(JSON.parse(again.stdout).rowsEmbedded).toBe(0);
    expect((await client().query('SELECT id, seq, embedded_at FROM docs_chunks ORDER BY id, seq')).rows).toEqual(before.rows);
  });

  it.each(['copy', 'insert'])(
    "replaces an edited row's chunks whole (10 chunks to 3 keeps no seq 3-9) with --write-method %s; deletes cascade, emptied texts lose theirs",
    async (method) => {
      const table = `shrink_${method}`;
      const long = textWithChunks(expected, 10, window, (i) => sentence(i + 500));
      const short = textWithChunks(expected, 3, window, (i) => sentence(i + 900));
      await client().query(`CREATE TABLE ${table} (id int PRIMARY KEY, text text)`);
      await client().query(`INSERT INTO ${table} VALUES (1, $1), (2, $1), (3, $1), (4, 'kept as it is.')`, [long]);
      const run = (...more: string[]) =>
        cli(table, table, '--model', modelDir, '--workers', '2', '--quiet', '--chunk', chunkFlag, '--write-method', method, ...more);
      expect((await run()).code).toBe(0);
      const chunksOf = async (id: number) => (await storedChunks(client(), `${table}_chunks`)).get(String(id)) ?? [];
      expect(cut(await chunksOf(1))).toEqual(cut(expected.chunksOf(long, window)));

      await client().query(`UPDATE ${table} SET text = $1 WHERE id = 1`, [short]);
      await client().query(`DELETE FROM ${table} WHERE id = 2`);
      await client().query(`UPDATE ${table} SET text = ' ' WHERE id = 3`);
      const edited = await run('--json');
      expect(edited.code, edited.stderr).toBe(0);
      expect(JSON.parse(edited.stdout).rowsEmbedded).toBe(1);
      const after = await chunksOf(1);
      expect(cut(after)).toEqual(cut(expected.chunksOf(short, window)));
      expect(after.map((c) => c.seq)).toEqual(after.map((_, seq) => seq));
      expect(after.every((c) => c.chunk.length > 0 && short.includes(c.chunk))).toBe(true);
      expect(await chunksOf(2)).toEqual([]);
      expect(await chunksOf(3)).toEqual([]);
      expect(cut(await chunksOf(4))).toEqual(cut(expected.chunksOf('kept as it is.', window)));
      // Meaningful once the chunker cuts long texts: the counts the test was built for.
      const counts = [expected.chunksOf(long, window).length, expected.chunksOf(short, window).length];
      if (counts[0]! >= 10) {
        expect(counts[1]).toBeGreaterThanOrEqual(3);
        expect(counts[1]).toBeLessThan(5);
        expect(Math.max(...after.map((c) => c.seq))).toBe(counts[1]! - 1);
      }
    },
  );

  it('refuses another window on the same target like another model; --restart cuts anew; --refresh finds changed rows', async () => {
    const other = await embed('first', '--chunk', '32');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /^embed: target "public"\."docs_chunks" holds embeddings of model .* chunks 48:8, not .* chunks 32; pass --target NEW_TABLE/,
    );
    const restarted = await embed('first', '--chunk', '32', '--restart', '--json');
    expect(restarted.code, restarted.stderr).toBe(0);
    await expectTrueToSource('docs_chunks', { tokens: 32, overlap: 0 });

    // --refresh compares every row's hash on the server.
    await client().query(`UPDATE docs SET text = text || ' Refreshed.' WHERE id IN (1, 2)`);
    const refreshed = await embed('first', '--chunk', '32', '--refresh', '--json');
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout).rowsEmbedded).toBe(2);
    await expectTrueToSource('docs_chunks', { tokens: 32, overlap: 0 });
  });

  it("--metrics keeps on each chunk its row's chunk count and tokens before chunking, and reports them", async () => {
    const run = await embed('metrics', '--chunk', chunkFlag, '--target', 'measured_chunks', '--metrics', '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.chunkMetrics.rows).toBe(37);
    const rows = await client().query<{ id: string; row_chunks: number; row_tokens: number; chunks: number }>(
      `SELECT id::text AS id, min(row_chunks) AS row_chunks, min(row_tokens) AS row_tokens, count(*)::int AS chunks
         FROM measured_chunks GROUP BY id HAVING min(row_chunks) = max(row_chunks) AND min(row_tokens) = max(row_tokens)`,
    );
    expect(rows.rows).toHaveLength(37);
    const textOf = await sourceTexts();
    for (const row of rows.rows) {
      const text = textOf.get(row.id)!;
      expect(row.row_chunks).toBe(row.chunks);
      expect(row.row_chunks).toBe(expected.chunksOf(text, window).length);
      expect(row.row_tokens).toBe(expected.counter.count(text));
    }
    const longest = Math.max(...rows.rows.map((r) => r.row_tokens));
    expect(report.chunkMetrics.tokensPerRow.max).toBe(longest);
    const human = await cli(
      'metrics',
      'docs',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--chunk',
      chunkFlag,
      '--target',
      'measured_chunks',
      '--metrics',
    );
    expect(human.stdout).toMatch(
      /metrics in "public"\."measured_chunks" \(37 rows\): chunks per row p50 \d+, p95 \d+, max \d+; tokens per row before chunking p50 \d+, p95 \d+, max \d+/,
    );
  });

  it('embed status counts rows and chunks; embed search shows each row once, by its best chunk; so does the library', async () => {
    // The state file holds the job of each window: --chunk picks one.
    const status = await cli('first', 'status', 'docs', '--chunk', '32', '--json');
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    const counted = await client().query<{ chunks: number; rows: number }>(
      'SELECT count(*)::int AS chunks, count(DISTINCT id)::int AS rows FROM docs_chunks',
    );
    expect(report.chunks).toEqual(counted.rows[0]);
    expect(report.job.chunk).toBe('32');
    expect(report.rowsDone).toBe(40);
    const human = await cli('first', 'status', 'docs', '--chunk', '32');
    expect(human.stdout).toMatch(new RegExp(`chunks {6}${counted.rows[0]!.chunks} for 37 rows \\(window 32 tokens, [0-9.]+ per row\\)`));

    const stored = await storedChunks(client(), 'docs_chunks');
    const [id, chunks] = [...stored.entries()].find(([, c]) => c.length >= 2) ?? [...stored.entries()][0]!;
    const target = chunks.at(-1)!;
    const found = await cli('first', 'search', 'docs', target.chunk, '-k', '5', '--model', modelDir, '--chunk', '32', '--json');
    expect(found.code, found.stderr).toBe(0);
    const hits = JSON.parse(found.stdout).hits as { id: string; similarity: number; chunk: { seq: number; text: string } }[];
    expect(hits[0]).toMatchObject({ id, similarity: expect.closeTo(1, 4), chunk: { seq: target.seq, text: target.chunk } });
    expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length);
    expect(hits.map((h) => h.similarity)).toEqual([...hits.map((h) => h.similarity)].sort((a, b) => b - a));
    const lines = (await cli('first', 'search', 'docs', target.chunk, '-k', '3', '--model', modelDir, '--chunk', '32')).stdout
      .trim()
      .split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${id}\\t1\\.0000\\tchunk ${target.seq}\\t`));

    const library = await search(fixture.db.url, 'docs', target.chunk, { k: 1, state: state('first'), model: modelDir, chunk: '32' });
    expect(library.hits).toEqual([
      { id, similarity: expect.closeTo(1, 4), text: (await sourceTexts()).get(id), chunk: { seq: target.seq, text: target.chunk } },
    ]);
  });

  it('counts the document prompt in each window and puts it before each chunk for the model, not in the chunk text', async () => {
    const prompt = 'passage: ';
    const run = await embed('prompted', '--chunk', chunkFlag, '--prompt', prompt, '--target', 'prompted_chunks');
    expect(run.code, run.stderr).toBe(0);
    const stored = await storedChunks(client(), 'prompted_chunks');
    for (const [id, text] of await sourceTexts()) {
      if (text === null || text.trim() === '') continue;
      expect(cut(stored.get(id) ?? []), `row ${id}`).toEqual(cut(expected.chunksOf(text, window, prompt)));
    }
    const sample = [...stored.values()].flat().slice(0, 40);
    expect(sample.every((c) => !c.chunk.startsWith(prompt))).toBe(true);
    const direct = await directEmbeddings(
      modelDir,
      sample.map((c) => prompt + c.chunk),
    );
    expect(Math.max(...sample.map((chunk, i) => maxAbsDifference(chunk.embedding, direct[i]!)))).toBeLessThan(1e-5);
  });

  it('refuses bad --chunk values in one line, exit code 2, before anything is written', async () => {
    const refused = async (value: string[], message: RegExp) => {
      const target = value.includes('--column') ? [] : ['--target', 'never_chunks'];
      const result: CliResult = await cli('bad', 'docs', '--model', modelDir, ...target, ...value);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(message);
    };
    await refused(['--chunk', 'abc'], /^embed: --chunk takes TOKENS or TOKENS:OVERLAP in whole numbers, such as 256:32; got "abc"$/);
    await refused(['--chunk', '64:x'], /^embed: --chunk takes TOKENS or TOKENS:OVERLAP/);
    await refused(['--chunk', '0'], /^embed: --chunk needs a window of at least 1 token/);
    await refused(['--chunk', '32:32'], /^embed: --chunk overlap \(32\) must be smaller than the window \(32\)/);
    await refused(['--chunk', '500:50'], /^embed: --chunk 500 is more tokens than the model reads \(128\): give at most --chunk 128$/);
    await refused(['--chunk', '64', '--column', 'vec'], /^embed: --chunk writes several vectors per row .* drop --column/);
    await refused(['--chunk', '64', '--metrics-only'], /^embed: --metrics-only measures whole rows .* drop one/);
    // The prompt is counted in the worker, with the model's tokenizer: a window it leaves no room in stops the run.
    const crowded = await cli(
      'crowded',
      'docs',
      '--model',
      modelDir,
      '--target',
      'crowded_chunks',
      '--chunk',
      '12',
      '--prompt',
      'represent this long passage of text for retrieval: ',
    );
    expect(crowded.code, crowded.stderr).toBe(2);
    expect(crowded.stderr).toMatch(
      /^embed: --chunk 12 leaves under 8 tokens of text beside the prompt \(\d+\) and the special tokens \(2\)/m,
    );
    expect((await client().query('SELECT count(*)::int AS n FROM crowded_chunks')).rows[0].n).toBe(0);
    const exists = await client().query(`SELECT to_regclass('never_chunks') AS t`);
    expect(exists.rows[0].t).toBeNull();
    const column = await client().query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'docs' AND column_name = 'vec'`);
    expect(column.rowCount).toBe(0);
  });
});
