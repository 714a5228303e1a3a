/**
 * Text as real tables hold it: NULL, empty and whitespace-only rows are skipped and counted; every other
 * row, however odd (100,000+ characters, control characters, emoji and ZWJ sequences, right-to-left
 * scripts, CJK, zero-width characters, combining marks, text that looks like SQL or HTML), gets exactly
 * one unit-length embedding of exactly its text (the stored content hash equals the server's md5 of it).
 * Text columns of other types (varchar, char, citext) work; integer and jsonb are refused with a clear
 * message unless --cast-text asks for their text form.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';

const texts: Record<string, string | null> = {
  null: null,
  empty: '',
  whitespace: ' \t\r\n  \u00a0\u3000 ',
  'very long (150,000 characters)': 'a long sentence that goes on. '.repeat(5_000),
  'very long single word (120,000 characters)': 'x'.repeat(120_000),
  'control characters': 'bell\u0007 escape\u001b[31m red\u001b[0m backspace\b form\f vertical\u000b delete\u007f unit\u001f end',
  'only control characters': '\u0001\u0002\u0003\u0004',
  'emoji and ZWJ sequences': 'family 👨‍👩‍👧‍👦 flag 🏳️‍🌈 skin 👋🏽 keycap 1️⃣ and 🤷‍♀️',
  'right-to-left scripts': 'שלום עולם — مرحبا بالعالم \u202eoverride\u202c mixed עם English',
  CJK: '你好，世界。日本語のテキストです。한국어 문장입니다。𠜎𠜱𠝹',
  'zero-width characters': 'zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060joiner',
  'only zero-width characters': '\u200b\u200c\u200d\u2060',
  'combining marks': 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻ e\u0301\u0302\u0303\u0304\u0305 café vs cafe\u0301',
  'SQL-looking text': "'); DROP TABLE bad_text; -- $1 $$ E'\\x00' \\. COPY \\N",
  'HTML-looking text': '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;&lt;&#0;',
  'quotes and backslashes': `"double" 'single' \`back\` \\ \\\\ \\n {"json": [1, 2]}`,
  'lone punctuation': '...!?',
};

describe('bad text: no worker crashes, no row lost', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-bad-text-');
  const stateDir = fixture.dir;
  const embed = (table: string, extra: string[] = []) =>
    runCli([
      table,
      '4',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(stateDir, `${table}.sqlite`),
      '--json',
      ...extra,
    ]);
  /** Ids of rows with something to embed (what the tool skips: NULL and text that trims to nothing). */
  const embeddableIds = async (table: string, textSql = 'text::text') =>
    (
      await fixture.db.client.query<{ id: string }>(
        `SELECT id::text AS id FROM ${table} WHERE btrim(coalesce(${textSql}, ''), E' \\t\\r\\n\\u00a0\\u3000') <> ''`,
      )
    ).rows
      .map((r) => r.id)
      .sort();
  /** One embedding per embeddable row, of unit length, hashed from exactly the row's text. */
  const expectOneGoodEmbeddingEach = async (table: string, ids: string[], textSql = 's.text::text') => {
    const stored = await fixture.db.client.query<{ id: string; copies: string; norm: number; hash_matches: boolean }>(
      `SELECT t.id::text AS id, count(*) OVER (PARTITION BY t.id) AS copies,
              sqrt((SELECT sum(x * x) FROM unnest(t.embedding) AS x)) AS norm,
              t.content_hash = md5(convert_to(${textSql}, 'UTF8')) AS hash_matches
         FROM ${table}_embeddings t JOIN ${table} s ON s.id = t.id ORDER BY 1`,
    );
    expect(stored.rows.map((r) => r.id).sort()).toEqual(ids);
    for (const row of stored.rows) {
      expect(row.copies, `copies of ${row.id}`).toBe('1');
      expect(row.norm, `norm of ${row.id}`).toBeCloseTo(1, 4);
      expect(row.hash_matches, `content hash of ${row.id}`).toBe(true);
    }
  };

  it('every kind of odd text is embedded once (or skipped when blank), long texts truncated and flagged', async () => {
    const kinds = Object.keys(texts);
    await fixture.db.client.query('CREATE TABLE bad_text (id int PRIMARY KEY, kind text NOT NULL, text text)');
    await fixture.db.client.query('INSERT INTO bad_text SELECT i, k, t FROM unnest($1::int[], $2::text[], $3::text[]) AS u(i, k, t)', [
      kinds.map((_, i) => i + 1),
      kinds,
      kinds.map((kind) => texts[kind]),
    ]);
    const result = await embed('bad_text');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const ids = await embeddableIds('bad_text');
    expect(summary).toMatchObject({ outcome: 'completed', rowsEmbedded: ids.length, rowsSkipped: 3, rowsFailed: 0 });
    // The 150,000-character sentence runs past the model's sequence limit and is flagged; the single
    // 120,000-character word is one [UNK] piece (WordPiece gives up on words over 100 characters).
    expect(summary.rowsTruncated).toBe(1);
    await expectOneGoodEmbeddingEach('bad_text', ids);
    const stillThere = await fixture.db.client.query(`SELECT count(*)::int AS n FROM bad_text`);
    expect(stillThere.rows[0].n).toBe(kinds.length);
  });

  it.each([
    { type: 'varchar(200)', extension: undefined },
    { type: 'char(60)', extension: undefined },
    { type: 'citext', extension: 'citext' },
  ])('a $type text column works', async ({ type, extension }) => {
    if (extension !== undefined) {
      try {
        await fixture.db.client.query(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
      } catch (error) {
        console.warn(`skipped: the test server cannot create extension ${extension} (${(error as Error).message})`);
        return;
      }
    }
    const table = `typed_${type.replace(/\W/g, '_')}`;
    await fixture.db.client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, text ${type})`);
    await fixture.db.client.query(
      `INSERT INTO ${table} SELECT i, CASE WHEN i % 9 = 0 THEN NULL ELSE 'Row ' || i || ' in a ' || $1 || ' column, ünïcödé 世界' END
         FROM generate_series(1, 40) AS i`,
      [type],
    );
    const result = await embed(table);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ids = await embeddableIds(table);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsEmbedded: ids.length, rowsSkipped: 40 - ids.length });
    await expectOneGoodEmbeddingEach(table, ids);
  });

  it.each([
    { type: 'integer', value: 'i * 1000' },
    { type: 'jsonb', value: `jsonb_build_object('n', i, 'tags', jsonb_build_array('a', 'b'))` },
  ])('a $type column is refused clearly, and embedded as text with --cast-text', async ({ type, value }) => {
    const table = `not_text_${type}`;
    await fixture.db.client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, text ${type})`);
    await fixture.db.client.query(`INSERT INTO ${table} SELECT i, ${value} FROM generate_series(1, 30) AS i`);
    const refused = await embed(table);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `embed: column "text" of "${table}" is ${type}, not text; pick a text column with --text-column, or pass --cast-text to embed its text form\n`,
    );
    const exists = await fixture.db.client.query(`SELECT to_regclass($1) AS t`, [`${table}_embeddings`]);
    expect(exists.rows[0].t).toBeNull();

    const cast = await embed(table, ['--cast-text']);
    expect(cast.stderr).toBe('');
    expect(cast.code).toBe(0);
    expect(JSON.parse(cast.stdout)).toMatchObject({ rowsEmbedded: 30 });
    await expectOneGoodEmbeddingEach(table, (await embeddableIds(table)).sort());
  });
});
