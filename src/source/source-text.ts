/**
 * What the model reads of a row: one column (--text-column) or several rendered by a template (--text).
 * Every statement that reads, hashes, compares or clears the text uses the one expression of textSql, so
 * the content hash, change capture and the write guard all see exactly the input the model read.
 */
import type { TextTemplate } from '../config/text-template.js';
import { quoteIdentifier } from '../db/table-name.js';
import { renderedTextSql } from './source-sql.js';

export type SourceText = { kind: 'column'; column: string } | { kind: 'template'; template: TextTemplate };

/** The columns the text is made of, each once. */
export function textColumnsOf(text: SourceText): string[] {
  return text.kind === 'column' ? [text.column] : text.template.columns;
}

/** The text of the row aliased `alias`, as one SQL expression (NULL or blank for a row with nothing to embed). */
export function textSqlOf(text: SourceText, alias: string): string {
  return text.kind === 'column' ? `${alias}.${quoteIdentifier(text.column)}` : renderedTextSql(alias, text.template.parts);
}

/** The flag that names the text, for messages. */
export function textFlagOf(text: SourceText): string {
  return text.kind === 'column' ? '--text-column' : '--text';
}
