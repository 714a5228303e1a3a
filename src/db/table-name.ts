/**
 * Table names as users type them: `sentences`, `public.sentences`, `"My Texts"`, `"my schema"."My Texts"`.
 * Unquoted parts follow PostgreSQL's rules (folded to lower case, letters, digits, _ and $ only), so a
 * name carrying SQL is refused rather than guessed at; quoted parts may hold anything and are only ever
 * sent back quoted.
 */
import pg from 'pg';
import { UsageError } from '../../common/errors.js';

export interface TableName {
  schema?: string;
  name: string;
}

const unquotedPart = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function parseTableName(input: string, what = 'table'): TableName {
  const parts = splitQualifiedName(input, what);
  if (parts.length > 2) throw new UsageError(`${what} name ${input} has more than schema.table; drop the database part`);
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

/** A column name: the same rules as one part of a table name. */
export function parseColumnName(input: string, what: string): string {
  const parts = splitQualifiedName(input, what);
  if (parts.length !== 1) throw new UsageError(`${what} ${input} must be a single column name`);
  return parts[0]!;
}

export function quoteTable(table: TableName): string {
  const name = pg.escapeIdentifier(table.name);
  return table.schema === undefined ? name : `${pg.escapeIdentifier(table.schema)}.${name}`;
}

export const quoteIdentifier = (name: string): string => pg.escapeIdentifier(name);

function splitQualifiedName(input: string, what: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const fail = (): never => {
    throw new UsageError(
      `${what} name ${JSON.stringify(input)} is not a valid identifier; if that is its real name, put it in double quotes`,
    );
  };
  while (i <= input.length) {
    if (input[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= input.length) fail();
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += input[i++];
      }
      if (part === '') fail();
      parts.push(part);
    } else {
      const end = input.indexOf('.', i);
      const part = input.slice(i, end === -1 ? input.length : end);
      if (!unquotedPart.test(part)) fail();
      parts.push(part.toLowerCase());
      i = end === -1 ? input.length : end;
    }
    if (i === input.length) return parts;
    if (input[i] !== '.') fail();
    i++;
  }
  return fail();
}
