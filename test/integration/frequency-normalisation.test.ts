/**
 * The frequency metric groups rows on the server by a normalised text: it must trim and collapse
 * exactly the whitespace JavaScript does (whatever the database's locale), and fold case as
 * toLowerCase() does.
 */
import { describe, expect, it } from 'vitest';
import { normalisedTextSql } from '../../dist/src/target/normalised-text.js';
import { useTestDatabase } from '../helpers/database.js';
import { normalisedText } from '../helpers/normalised-text.js';

describe('the server normalisation of texts for frequency', () => {
  const fixture = useTestDatabase('embed-frequency-');

  const serverNormalised = async (texts: string[], sql: string): Promise<string[]> => {
    const result = await fixture.db.client.query<{ n: string }>(
      `SELECT ${sql} AS n FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
      [texts],
    );
    return result.rows.map((row) => row.n);
  };

  it('trims and collapses the same whitespace as JavaScript, for every code point', async () => {
    const texts: string[] = [];
    for (let c = 1; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCodePoint(c);
      texts.push(`${ch}a${ch}${ch}B${ch}`);
    }
    const server = await serverNormalised(texts, normalisedTextSql('t', { foldCase: false, utf8: true }));
    const differing = texts.filter((text, i) => server[i] !== normalisedText(text));
    expect(differing).toEqual([]);
    expect(server[texts.indexOf('\u3000a\u3000\u3000B\u3000')]).toBe('a B');
  });

  it('folds case as toLowerCase() does, final sigma and dotted capital I included, with the ICU root collation', async () => {
    const icu = await fixture.db.client.query(`SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'`);
    expect(icu.rowCount, 'this PostgreSQL has no ICU collations').toBe(1);
    const letters: string[] = [];
    // Latin, Greek, Cyrillic, Armenian and their extensions: scripts whose case rules are settled.
    for (const [first, last] of [
      [0x41, 0x24f],
      [0x370, 0x58f],
      [0x1e00, 0x1fff],
    ] as const) {
      for (let c = first; c <= last; c++) letters.push(String.fromCodePoint(c));
    }
    const texts = [...letters.map((ch) => `A${ch}b`), 'ΟΔΟΣ ΣΑΣ', 'İstanbul', 'STRASSE Straße'];
    const sql = normalisedTextSql('t', { foldCase: true, utf8: true, lowerCollation: 'und-x-icu' });
    const server = await serverNormalised(texts, sql);
    expect(texts.filter((text, i) => server[i] !== normalisedText(text, true))).toEqual([]);
    expect(server.slice(-3)).toEqual(['οδος σας', 'i̇stanbul', 'strasse straße']);
  });
});
