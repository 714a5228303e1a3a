/**
 * The normalisation the frequency metric groups texts by, as SQL. Whitespace is common/text-metrics.ts's
 * set (JavaScript's `\s`), written out code point by code point for PostgreSQL, whose own `\s` follows
 * the database's locale (ASCII only under a C locale). Case folding on the server uses the ICU root
 * collation when the server has one, which lower-cases as JavaScript's toLowerCase() does (final sigma,
 * dotted capital I), rather than the database's libc locale.
 */
import { whitespaceRanges } from '../../common/text-metrics.js';
import { quoteIdentifier } from '../db/table-name.js';

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
  const escaped = (codePoint: number) => `\\\\u${codePoint.toString(16).padStart(4, '0')}`;
  return first === last ? escaped(first) : `${escaped(first)}-${escaped(last)}`;
}
