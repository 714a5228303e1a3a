import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../dist/scripts/load-corpus.js';
import { syntheticSentences } from '../../dist/scripts/synthetic-text.js';
import { useTestDatabase } from '../helpers/database.js';

const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
lines[3] = 'tab\there, back\\slash, "quotes", ünïcødé 漢字';

describe('load-corpus', () => {
  const fixture = useTestDatabase('embed-corpus-', async () => writeFileSync(corpus, `${lines.join('\n')}\n\n`));
  const dir = fixture.dir;
  const corpus = path.join(dir, 'corpus.txt');

  const texts = async (table: string) =>
    (await fixture.db.client.query<{ id: string; text: string }>(`SELECT id, text FROM ${table} ORDER BY id`)).rows;

  it('--keep-order keeps file order, repeats the corpus for --rows, and keeps every character', async () => {
    const loaded = await loadCorpus(fixture.db.client, { table: 'kept', corpus, rows: 100, keepOrder: true });
    expect(loaded).toEqual({ created: true, rows: 100, source: corpus });
    const rows = await texts('kept');
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1)));
    expect(rows.map((r) => r.text)).toEqual(Array.from({ length: 100 }, (_, i) => lines[i % 40]));
    const key = await fixture.db.client.query(`SELECT 1 FROM pg_index WHERE indrelid = 'kept'::regclass AND indisprimary`);
    expect(key.rowCount).toBe(1);
  });

  it('--distinct-repeats marks every repetition of the corpus so that no two rows share a text', async () => {
    await loadCorpus(fixture.db.client, { table: 'distinct_rows', corpus, rows: 100, keepOrder: true, distinctRepeats: true });
    const rows = await texts('distinct_rows');
    expect(rows.map((r) => r.text)).toEqual(
      Array.from({ length: 100 }, (_, i) => (i < 40 ? lines[i] : `${lines[i % 40]} (${Math.floor(i / 40) + 1})`)),
    );
    expect(new Set(rows.map((r) => r.text)).size).toBe(100);
  });

  it('shuffles by default, the same way for the same seed', async () => {
    await loadCorpus(fixture.db.client, { table: 'shuffled_a', corpus, seed: 1 });
    await loadCorpus(fixture.db.client, { table: 'shuffled_b', corpus, seed: 1 });
    await loadCorpus(fixture.db.client, { table: 'shuffled_c', corpus, seed: 2 });
    const [a, b, c] = [await texts('shuffled_a'), await texts('shuffled_b'), await texts('shuffled_c')];
    expect(a.map((r) => r.text)).toEqual(b.map((r) => r.text));
    expect(a.map((r) => r.text)).not.toEqual(c.map((r) => r.text));
    expect(a.map((r) => r.text)).not.toEqual(lines);
    expect([...a.map((r) => r.text)].sort()).toEqual([...lines].sort());
  });

  it('leaves an existing table alone unless asked to replace it', async () => {
    await loadCorpus(fixture.db.client, { table: 'kept_twice', corpus, rows: 10, keepOrder: true });
    expect(await loadCorpus(fixture.db.client, { table: 'kept_twice', corpus, rows: 30 })).toEqual({
      created: false,
      rows: 10,
      source: 'existing table',
    });
    expect(await loadCorpus(fixture.db.client, { table: 'kept_twice', corpus, rows: 30, replace: true })).toMatchObject({
      created: true,
      rows: 30,
    });
    expect(await texts('kept_twice')).toHaveLength(30);
  });

  it('refuses a corpus file that does not exist', async () => {
    await expect(loadCorpus(fixture.db.client, { table: 'missing', corpus: path.join(dir, 'nope.txt') })).rejects.toThrow(/does not exist/);
  });

  it('makes deterministic synthetic sentences of spread-out lengths', () => {
    const sentences = syntheticSentences(2000);
    expect(syntheticSentences(2000)).toEqual(sentences);
    const words = sentences.map((s) => s.split(' ').length).sort((x, y) => x - y);
    expect(words[1000]).toBeGreaterThanOrEqual(6);
    expect(words[1000]).toBeLessThanOrEqual(15);
    expect(words[1990]).toBeGreaterThan(3 * words[1000]!);
  });
});
