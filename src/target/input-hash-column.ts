/**
 * The side table's input_hash column: the key of the word pieces the model was given for each row (see
 * workers/input-key.ts), indexed, so that a worker finds in one query which of its inputs the target
 * already holds a vector for, and the merge copies that vector on the server instead of the model
 * computing it again. This is what embeds each distinct input once across tasks, workers and runs
 * while no process keeps a map of what it has seen.
 */
import type pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import { addInputHashColumnSql, createInputHashIndexSql, inputHashColumnSql, inputHashIndexSql } from './target-sql.js';

/** Adds the column and its index to a side table that lacks them (made before they existed). */
export async function ensureInputHashColumn(client: pg.ClientBase, qualified: string): Promise<void> {
  const fail = (what: string) => (cause: unknown) => {
    throw new DatabaseError(`cannot ${what} on ${qualified}: ${(cause as Error).message}`, { code: 'TARGET', cause });
  };
  const hasColumn = inputHashColumnSql(qualified);
  if ((await client.query(hasColumn.text, hasColumn.values)).rowCount === 0) {
    await client.query(addInputHashColumnSql(qualified).text).catch(fail('add column input_hash'));
  }
  const hasIndex = inputHashIndexSql(qualified);
  if ((await client.query(hasIndex.text, hasIndex.values)).rowCount === 0) {
    await client.query(createInputHashIndexSql(qualified).text).catch(fail('create an index on input_hash'));
  }
}
