/** The --text template parser: placeholders, escapes, literal text, and the canonical form a job is known by. */
import { describe, expect, it } from 'vitest';
import { parseTextTemplate } from '../../dist/src/config/text-template.js';
import { resolveEmbedConfig } from '../../dist/src/config/config.js';
import { UsageError } from '../../dist/common/errors.js';

const parse = (value: string) => parseTextTemplate(value, '--text');

describe('parseTextTemplate', () => {
  it('splits literals and placeholders, with the escapes resolved', () => {
    expect(parse('{title}\\n\\n{body}')).toEqual({
      parts: [{ column: 'title' }, { literal: '\n\n' }, { column: 'body' }],
      columns: ['title', 'body'],
      canonical: '{title}\\n\\n{body}',
    });
    expect(parse('Title:\\t{Title Case}\\\\ \\{not a column\\} {title}').parts).toEqual([
      { literal: 'Title:\t' },
      { column: 'Title Case' },
      { literal: '\\ {not a column} ' },
      { column: 'title' },
    ]);
  });

  it('takes a column name as written, braces and backslashes escaped inside it too', () => {
    expect(parse('{a\\}b} {"x"} {a\\}b}')).toMatchObject({ columns: ['a}b', '"x"'], canonical: '{a\\}b} {"x"} {a\\}b}' });
  });

  it('gives the same canonical form to every spelling of the same input', () => {
    expect(parse('{title}\n\n{body}').canonical).toBe(parse('{title}\\n\\n{body}').canonical);
    expect(parse('{title}\t{body}').canonical).toBe('{title}\\t{body}');
    expect(parse('{title}{body}').canonical).not.toBe(parse('{title} {body}').canonical);
  });

  it.each([
    ['', 'is empty'],
    ['just words', 'names no column'],
    ['{title', 'leaves a placeholder open'],
    ['title}', 'closes a placeholder it never opened at character 6'],
    ['{}', 'has an empty placeholder {} at character 1'],
    ['{a{b}}', 'opens a placeholder inside another at character 3'],
    ['{title}\\x', 'has an unknown escape at character 8'],
    ['{title}\\', 'has an unknown escape at character 8'],
  ])('refuses %j: %s', (value, why) => {
    expect(() => parse(value)).toThrow(UsageError);
    expect(() => parse(value)).toThrow(`--text ${JSON.stringify(value)} ${why}`);
  });
});

describe('--text in the config', () => {
  it('is parsed once, and excludes --text-column', () => {
    const config = resolveEmbedConfig({ table: 'docs', text: '{title}\\n{body}' }, {}, 2);
    expect(config.textTemplate?.columns).toEqual(['title', 'body']);
    expect(resolveEmbedConfig({ table: 'docs' }, {}, 2).textTemplate).toBeUndefined();
    expect(() => resolveEmbedConfig({ table: 'docs', text: '{title}', textColumn: 'body' }, {}, 2)).toThrow(
      '--text and --text-column exclude each other',
    );
  });
});
