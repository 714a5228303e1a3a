/**
 * Per-row text metrics a worker measures. Whitespace means one set everywhere: JavaScript's `\s` (what
 * the worker's word count and blank-row check use), written out code point by code point for PostgreSQL
 * by src/target/normalised-text.ts.
 */

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
