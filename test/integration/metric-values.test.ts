/**
 * --metrics stores, beside each embedding, the token count before truncation, whether the text was
 * truncated, its characters and words, and how many rows share its normalised text (case kept, or folded
 * with --fold-case), and the summary describes their distribution.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';

// [id, text, word pieces with [CLS] and [SEP], code points, words]; the tiny model keeps 128 word pieces.
const rows: [number, string | null, number, number, number][] = [
  [1, 'hello world', 4, 11, 2],
  [2, 'Hello   World  ', 4, 15, 2],
  [3, '  the data table.', 6, 17, 3],
  [4, null, 0, 0, 0],
  [5, ' \t ', 0, 0, 0],
  [6, 'naïve café 😀', 12, 12, 3],
  [7, 'hello world', 4, 11, 2],
  [8, '\thello\u00a0world\u3000\n', 4, 14, 2],
  [9, Array.from({ length: 200 }, () => 'hello').join(' '), 202, 200 * 6 - 1, 200],
];

describe('--metrics', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-state-', async (db) => {
    await db.client.query('CREATE TABLE texts (id bigint PRIMARY KEY, text text)');
    for (const [id, text] of rows) await db.client.query('INSERT INTO texts VALUES ($1, $2)', [id, text]);
  });
  const run = (...flags: string[]) =>
    runCli([
      'texts',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'state.sqlite'),
      '--json',
      ...flags,
    ]);
  const stored = async () =>
    (
      await fixture.db.client.query<{
        id: number;
        token_count: number;
        truncated: boolean;
        char_count: number;
        word_count: number;
        frequency: number;
      }>(`SELECT id::int AS id, token_count, truncated, char_count, word_count, frequency FROM texts_embeddings ORDER BY id`)
    ).rows;

  it('stores each metric beside the embedding, frequency counted case kept', async () => {
    const result = await run('--metrics', '--workers', '2');
    expect(result.code, result.stderr).toBe(0);
    const measured = rows.filter(([, text]) => text !== null && text.trim() !== '');
    // Case kept: 1, 7 and 8 are "hello world"; 2 is "Hello World".
    const frequency: Record<number, number> = { 1: 3, 2: 1, 3: 1, 6: 1, 7: 3, 8: 3, 9: 1 };
    expect(await stored()).toEqual(
      measured.map(([id, , tokens, chars, words]) => ({
        id,
        token_count: tokens,
        truncated: tokens > 128,
        char_count: chars,
        word_count: words,
        frequency: frequency[id],
      })),
    );
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ metricsMode: 'beside', rowsEmbedded: 7, rowsTruncated: 1 });
    // Token counts 4 4 4 4 6 12 202; 5 distinct texts among 7 rows.
    expect(report.metrics).toEqual({
      table: '"public"."texts_embeddings"',
      foldCase: false,
      rows: 7,
      tokens: { p50: 4, p95: 202, max: 202 },
      truncatedShare: expect.closeTo(1 / 7, 12),
      duplicateShare: expect.closeTo(2 / 7, 12),
      distinctTexts: 5,
      unmeasured: 0,
    });
  });

  it('recounts frequency with case folded on --fold-case, without embedding again', async () => {
    const result = await run('--metrics', '--fold-case', '--workers', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      rowsEmbedded: 0,
      metrics: { foldCase: true, distinctTexts: 4, duplicateShare: expect.closeTo(3 / 7, 12) },
    });
    expect(Object.fromEntries((await stored()).map((row) => [row.id, row.frequency]))).toEqual({
      1: 4,
      2: 4,
      3: 1,
      6: 1,
      7: 4,
      8: 4,
      9: 1,
    });
  });

  it('counts a row added later in the frequency of the rows stored before it', async () => {
    await fixture.db.client.query(`INSERT INTO texts VALUES (10, 'THE DATA TABLE.')`);
    const result = await run('--metrics', '--fold-case', '--workers', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsEmbedded: 1 });
    const byId = Object.fromEntries((await stored()).map((row) => [row.id, row.frequency]));
    expect([byId[3], byId[10]]).toEqual([2, 2]);
  });

  it("keeps a row's metrics true to its text when it changes, even in a run without --metrics", async () => {
    await fixture.db.client.query(`UPDATE texts SET text = 'hello world data table row' WHERE id = 3`);
    const plain = await run('--refresh', '--workers', '1');
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ rowsEmbedded: 1, metricsMode: 'off' });
    expect(JSON.parse(plain.stdout).metrics).toBeUndefined();
    // Frequency is left to the next run with metrics, which counts the whole table.
    expect((await stored()).find((row) => row.id === 3)).toEqual({
      id: 3,
      token_count: 7,
      truncated: false,
      char_count: 26,
      word_count: 5,
      frequency: null,
    });
    const measured = await run('--metrics', '--fold-case', '--workers', '1');
    expect(measured.code, measured.stderr).toBe(0);
    const byId = Object.fromEntries((await stored()).map((row) => [row.id, row.frequency]));
    expect([byId[3], byId[10]]).toEqual([1, 1]);
  });
});
