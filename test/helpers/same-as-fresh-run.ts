/** The check the change-capture tests end with: a target equals what a fresh full run makes of the table now. */
import path from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { maxAbsDifference, storedEmbeddings } from './embeddings.js';

/**
 * Embeds `table` afresh into `<target>_fresh` (own state file) and expects `target` to hold the same ids
 * with vectors within 1e-6, and every stored hash to be that of the row's text now.
 */
export async function expectSameAsFreshRun(
  client: pg.ClientBase,
  options: { table: string; target: string; modelDir: string; databaseUrl: string; dir: string },
): Promise<void> {
  const fresh = `${options.target}_fresh`;
  await client.query(`DROP TABLE IF EXISTS ${fresh}`);
  const result = await runCli([
    options.table,
    '100',
    '--workers',
    '2',
    '--model',
    options.modelDir,
    '--database-url',
    options.databaseUrl,
    '--target',
    fresh,
    '--state',
    path.join(options.dir, `${fresh}.sqlite`),
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  const expected = await storedEmbeddings(client, fresh);
  const actual = await storedEmbeddings(client, options.target);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  let worst = 0;
  for (const [id, vector] of expected) worst = Math.max(worst, maxAbsDifference(actual.get(id)!, vector));
  expect(worst).toBeLessThanOrEqual(1e-6);
  const stale = await client.query(
    `SELECT t.id FROM ${options.target} t JOIN ${options.table} s USING (id) WHERE t.content_hash <> md5(convert_to(s.text, 'UTF8'))`,
  );
  expect(stale.rows).toEqual([]);
  await client.query(`DROP TABLE ${fresh}`);
}
