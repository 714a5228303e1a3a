/**
 * Per-row text metrics, and the normalisation the frequency metric groups texts by. Whitespace means one
 * set everywhere: JavaScript's `\s` (what the worker's word count and blank-row check use), written out
 * code point by code point for PostgreSQL, whose own `\s` follows the database's locale (ASCII only under
 * a C locale). Case folding on the server uses the ICU root collation when the server has one, which
 * lower-cases as JavaScript's toLowerCase() does (final sigma, dotted capital I), rather than the
 * database's libc locale.
 */
import { quoteIdentifier } from '../src/db/table-name.js';

/** ECMAScript WhiteSpace and LineTerminator: tab to carriage return, and Unicode's space separators. */
export const whitespaceRanges: readonly (readonly [number, number])[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

/** Characters as PostgreSQL's char_length counts them: code points, not UTF-16 units. */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Runs of non-whitespace. */
export function wordCount(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

export interface NormaliseSqlOptions {
  foldCase: boolean;
  /** Collation for lower(), e.g. "und-x-icu"; undefined: the database's default. */
  lowerCollation?: string;
  /** Whether the server encoding is UTF8, where regular expressions see Unicode code points. */
  utf8: boolean;
}

/**
 * SQL for a text trimmed, with every whitespace run made one space, and lower-cased with foldCase: the
 * key rows are grouped by for the frequency metric. `text` is an SQL expression of type text.
 */
export function normalisedTextSql(text: string, options: NormaliseSqlOptions): string {
  const space = options.utf8 ? `[${whitespaceRanges.map(rangeSql).join('')}]+` : '[[:space:]]+';
  // An E'' literal with doubled backslashes reads the same whatever standard_conforming_strings says.
  const collapsed = `btrim(regexp_replace(${text}, E'${space}', ' ', 'g'), ' ')`;
  if (!options.foldCase) return collapsed;
  return options.lowerCollation === undefined
    ? `lower(${collapsed})`
    : `lower(${collapsed} COLLATE ${quoteIdentifier(options.lowerCollation)})`;
}

function rangeSql([first, last]: readonly [number, number]): string {
  const escape = (codePoint: number) => `\\\\u${codePoint.toString(16).padStart(4, '0')}`;
  return first === last ? escape(first) : `${escape(first)}-${escape(last)}`;
}
