/**
 * A large table for the benches of finding work (change-capture-bench.ts, watch-look-bench.ts): loaded
 * and embedded on the server, since the cost of finding work does not depend on the model.
 */
import type pg from 'pg';

export async function loadTable(client: pg.Client, table: string, rows: number): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}_embeddings, ${table}`);
  await client.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, text text NOT NULL, tag int NOT NULL DEFAULT 0)`);
  await client.query(
    `INSERT INTO ${table} (text) SELECT 'sentence ' || i || ' about ' || md5(i::text) FROM generate_series(1, $1::int) AS i`,
    [rows],
  );
  await client.query(`VACUUM ANALYZE ${table}`);
}

export async function fillTarget(client: pg.Client, table: string): Promise<void> {
  const target = `${table}_embeddings`;
  await client.query(
    `INSERT INTO ${target} (id, embedding, model, content_hash)
     SELECT s.id, one.embedding, one.model, md5(convert_to(s.text, 'UTF8')) FROM ${table} s, (SELECT embedding, model FROM ${target} LIMIT 1) one
     ON CONFLICT (id) DO NOTHING`,
  );
  await client.query(`VACUUM ANALYZE ${target}`);
}
