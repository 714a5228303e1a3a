/** Tables of texts for tests: deterministic, with the NULL and empty rows real tables have. */
import type pg from 'pg';

const words = ['river', 'stone', 'quick', 'light', 'garden', 'window', 'music', 'paper', 'winter', 'orange', 'silent', 'market'];

/** Text for row i; every 50th row is NULL and every 77th empty, so skipping is always exercised. */
export function textFor(i: number): string | null {
  if (i % 50 === 0) return null;
  if (i % 77 === 0) return '';
  const length = 3 + ((i * 7919) % 40);
  return `${Array.from({ length }, (_, k) => words[(i * 31 + k * 17) % words.length]).join(' ')} ${i}.`;
}

export async function createTextTable(client: pg.ClientBase, table: string, rows: number, idType = 'bigint'): Promise<void> {
  await createTableOfTexts(
    client,
    table,
    Array.from({ length: rows }, (_, i) => textFor(i + 1)),
    idType,
  );
}

/** A table (id, text) holding the given texts with ids 1, 2, 3, ... */
export async function createTableOfTexts(
  client: pg.ClientBase,
  table: string,
  texts: readonly (string | null)[],
  idType = 'bigint',
): Promise<void> {
  await client.query(`CREATE TABLE ${table} (id ${idType} PRIMARY KEY, text text)`);
  await client.query(`INSERT INTO ${table} (id, text) SELECT i, t FROM unnest($1::int[], $2::text[]) AS u(i, t)`, [
    texts.map((_, i) => i + 1),
    texts,
  ]);
  await client.query(`ANALYZE ${table}`);
}
