/** Whether a side table of embeddings is true to its source, row by row, checked on the server. */
import type pg from 'pg';

/** Rows with text the target lacks or holds for another text, plus vectors of rows with blank text. */
export async function rowsOutOfStep(client: pg.ClientBase, source: string, target = `${source}_embeddings`): Promise<number> {
  const result = await client.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM ${source} s LEFT JOIN ${target} e ON e.id = s.id
              WHERE s.text IS NOT NULL AND btrim(s.text) <> '' AND (e.id IS NULL OR e.content_hash <> md5(s.text)))
          + (SELECT count(*) FROM ${source} s JOIN ${target} e ON e.id = s.id WHERE s.text IS NULL OR btrim(s.text) = '') AS n`,
  );
  return Number(result.rows[0]!.n);
}
