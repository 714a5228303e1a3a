/**
 * What kind of server answers. PGlite served over the wire protocol runs every connection in one
 * backend and has no COPY FROM STDIN: what needs either is refused up front there, in one line, rather
 * than met as lost connections or interleaved statements mid-run.
 */
import type pg from 'pg';
import { pgliteServerSql } from './db-sql.js';

export async function isPglite(client: pg.ClientBase): Promise<boolean> {
  const result = await client.query<{ pglite: boolean }>(pgliteServerSql().text);
  return result.rows[0]?.pglite === true;
}
