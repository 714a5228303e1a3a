/**
 * The side table's input_hash column: the key of the word pieces the model was given for each row (see
 * workers/input-key.ts), indexed, so that a worker finds in one query which of its inputs the target
 * already holds a vector for, and the merge copies that vector on the server instead of the model
 * computing it again. This is what embeds each distinct input once across tasks, workers and runs
 * while no process keeps a map of what it has seen.
 */
import pg from 'pg';
import { DatabaseError } from '../../common/errors.js';

/** Adds the column and its index to a side table that lacks them (made before they existed). */
export async function ensureInputHashColumn(client: pg.ClientBase, qualified: string): Promise<void> {
  const fail = (what: string) => (cause: unknown) => {
    throw new DatabaseError(`cannot ${what} on ${qualified}: ${(cause as Error).message}`, { code: 'TARGET', cause });
  };
  const column = await client.query(
    `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'input_hash' AND NOT attisdropped`,
    [qualified],
  );
  if (column.rowCount === 0) {
    await client.query(`ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS input_hash bytea`).catch(fail('add column input_hash'));
  }
  const index = await client.query(
    `SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE i.indrelid = to_regclass($1) AND a.attname = 'input_hash'`,
    [qualified],
  );
  if (index.rowCount === 0) {
    await client.query(`CREATE INDEX ON ${qualified} (input_hash)`).catch(fail('create an index on input_hash'));
  }
}

/** $1: input keys (bytea[]); returns those the target holds a vector of `label` for, as `key`. */
export function storedInputsSql(qualified: string, label: string): string {
  return `SELECT k.key FROM unnest($1::bytea[]) AS k(key)
     WHERE EXISTS (SELECT 1 FROM ${qualified} AS kept WHERE kept.input_hash = k.key AND kept.model = ${pg.escapeLiteral(label)})`;
}

/** A staged row's embedding, or (staged without one) the stored vector of the same input. */
export function embeddingOrStoredSql(qualified: string, label: string, row: string, cast: string): string {
  return `coalesce(${row}.embedding::${cast}, (SELECT kept.embedding FROM ${qualified} AS kept
       WHERE kept.input_hash = ${row}.input_hash AND kept.model = ${pg.escapeLiteral(label)} LIMIT 1))`;
}
