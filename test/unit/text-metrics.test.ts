import { describe, expect, it } from 'vitest';
import { charCount, whitespaceRanges, wordCount } from '../../dist/common/text-metrics.js';
import { normalisedTextSql } from '../../dist/src/target/normalised-text.js';

describe('text metrics', () => {
  it('counts characters as code points, as PostgreSQL char_length does', () => {
    expect(charCount('')).toBe(0);
    expect(charCount('hello')).toBe(5);
    expect(charCount('naïve café')).toBe(10);
    // One astral code point is two UTF-16 units; a combining accent is a code point of its own.
    expect(charCount('a😀b')).toBe(3);
    expect(charCount('e\u0301')).toBe(2);
  });

  it('counts words as runs between whitespace of any kind', () => {
    expect(wordCount('')).toBe(0);
    expect(wordCount('   ')).toBe(0);
    expect(wordCount('one')).toBe(1);
    expect(wordCount('  two\twords \n')).toBe(2);
    expect(wordCount('no\u00a0break\u3000ideographic\u2009thin')).toBe(4);
    expect(wordCount('punctuation, counts: with words!')).toBe(4);
  });

  it('lists exactly the code points JavaScript calls whitespace', () => {
    const listed = new Set<number>();
    for (const [first, last] of whitespaceRanges) for (let c = first; c <= last; c++) listed.add(c);
    const javascript = new Set<number>();
    for (let c = 0; c <= 0x10ffff; c++) if (/\s/u.test(String.fromCodePoint(c))) javascript.add(c);
    expect([...listed].sort((a, b) => a - b)).toEqual([...javascript].sort((a, b) => a - b));
  });

  it('writes the normalisation with an explicit class on UTF8 servers and lower() only to fold case', () => {
    const kept = normalisedTextSql('t', { foldCase: false, utf8: true });
    expect(kept).toMatch(/^btrim\(regexp_replace\(t, E'\[\\\\u0009-\\\\u000d.*\\\\ufeff\]\+', ' ', 'g'\), ' '\)$/);
    expect(normalisedTextSql('t', { foldCase: false, utf8: false })).toBe(`btrim(regexp_replace(t, E'[[:space:]]+', ' ', 'g'), ' ')`);
    expect(normalisedTextSql('t', { foldCase: true, utf8: true, lowerCollation: 'und-x-icu' })).toBe(`lower(${kept} COLLATE "und-x-icu")`);
    expect(normalisedTextSql('t', { foldCase: true, utf8: true })).toBe(`lower(${kept})`);
  });
});
