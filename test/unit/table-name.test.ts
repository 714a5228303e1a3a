import { describe, expect, it } from 'vitest';
import { parseColumnName, parseTableName, quoteTable } from '../../dist/src/db/table-name.js';

describe('parseTableName', () => {
  it.each([
    ['sentences', { name: 'sentences' }],
    ['Sentences', { name: 'sentences' }],
    ['public.sentences', { schema: 'public', name: 'sentences' }],
    ['"My Texts"', { name: 'My Texts' }],
    ['"my schema"."My ""quoted"" Texts"', { schema: 'my schema', name: 'My "quoted" Texts' }],
    ['"x; drop table y"', { name: 'x; drop table y' }],
    ['s.t$1', { schema: 's', name: 't$1' }],
  ])('%s', (input, expected) => {
    expect(parseTableName(input)).toEqual(expected);
  });

  it.each(['x; drop table y', 'a b', '', '"', '""', '"unterminated', 'a.', '.a', 'a.b.c', '1abc', '"a"b'])('refuses %j', (input) => {
    expect(() => parseTableName(input)).toThrow(/table name .* (is not a valid identifier|has more than schema\.table)/);
  });

  it('quotes every part when writing SQL', () => {
    expect(quoteTable(parseTableName('"my schema"."My ""Texts"""'))).toBe('"my schema"."My ""Texts"""');
  });

  it('takes single column names only', () => {
    expect(parseColumnName('Body', '--text-column')).toBe('body');
    expect(parseColumnName('"Body Text"', '--text-column')).toBe('Body Text');
    expect(() => parseColumnName('a.b', '--text-column')).toThrow('--text-column a.b must be a single column name');
  });
});
