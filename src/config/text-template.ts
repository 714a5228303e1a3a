/**
 * `--text TEMPLATE`: the model's input made of several columns, e.g. `{title}\n\n{body}`. A placeholder
 * names a column exactly as the catalog spells it (any name, no quoting, no case folding); the escapes
 * `\n`, `\t`, `\\`, `\{` and `\}` stand for a newline, a tab, a backslash and the braces (a shell's
 * single quotes pass `\n` through as two characters); everything else is literal text. The server renders
 * it (source/source-text.ts), so the content hash is the hash of exactly what the model read.
 */
import { UsageError } from '../../common/errors.js';

export type TemplatePart = { literal: string } | { column: string };

export interface TextTemplate {
  /** Literals and placeholders in order; no two literals in a row, no empty literal. */
  parts: TemplatePart[];
  /** The columns named, each once, in order of first use. */
  columns: string[];
  /** The template written back with escapes, the same for every spelling of the same input (the job's identity). */
  canonical: string;
}

const escapes: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '{': '{', '}': '}' };

export function parseTextTemplate(value: string, name: string): TextTemplate {
  const fail = (why: string): never => {
    throw new UsageError(`${name} ${JSON.stringify(value)} ${why}`);
  };
  if (value === '') fail("is empty; name the columns to embed, e.g. '{title}\\n\\n{body}'");
  const parts: TemplatePart[] = [];
  let literal = '';
  let column: string | undefined;
  for (let i = 0; i < value.length; i++) {
    let char = value[i]!;
    if (char === '\\') {
      const escaped = escapes[value[i + 1] ?? ''];
      if (escaped === undefined) {
        fail(`has an unknown escape at character ${i + 1}; the escapes are \\n, \\t, \\\\, \\{ and \\}`);
      }
      i++;
      char = escaped!;
    } else if (char === '{') {
      if (column !== undefined) fail(`opens a placeholder inside another at character ${i + 1}; write a literal brace as \\{`);
      if (literal !== '') parts.push({ literal });
      literal = '';
      column = '';
      continue;
    } else if (char === '}') {
      if (column === undefined) fail(`closes a placeholder it never opened at character ${i + 1}; write a literal brace as \\}`);
      if (column === '') fail(`has an empty placeholder {} at character ${i}; put a column name between the braces`);
      parts.push({ column: column! });
      column = undefined;
      continue;
    }
    if (column === undefined) literal += char;
    else column += char;
  }
  if (column !== undefined) fail(`leaves a placeholder open; close {${column} with }`);
  if (literal !== '') parts.push({ literal });
  const columns = [...new Set(parts.flatMap((part) => ('column' in part ? [part.column] : [])))];
  if (columns.length === 0) fail("names no column; put each column to embed in braces, e.g. '{title}\\n\\n{body}'");
  return { parts, columns, canonical: canonicalTemplate(parts) };
}

function canonicalTemplate(parts: readonly TemplatePart[]): string {
  const escaped = (text: string) => text.replace(/[\\{}\n\t]/g, (char) => (char === '\n' ? '\\n' : char === '\t' ? '\\t' : `\\${char}`));
  return parts.map((part) => ('column' in part ? `{${escaped(part.column)}}` : escaped(part.literal))).join('');
}
