/**
 * What kind of server answers. PGlite served over the wire protocol runs every connection in one
 * backend and has no COPY FROM STDIN: a run that needs either is refused up front there, in one line,
 * rather than meeting lost connections (the workers' COPY) or interleaved statements (--distributed)
 * mid-run.
 */
import type pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import { pgliteServerSql } from './db-sql.js';

async function isPglite(client: pg.ClientBase): Promise<boolean> {
  const result = await client.query<{ pglite: boolean }>(pgliteServerSql().text);
  return result.rows[0]?.pglite === true;
}

/** Refuses, on PGlite, a run that writes with binary COPY or shares its job with other hosts. */
export async function checkServerCanRun(client: pg.ClientBase, run: { copy: boolean; distributed: boolean }): Promise<void> {
  if (!(run.copy || run.distributed) || !(await isPglite(client))) return;
  if (run.distributed) {
    throw new DatabaseError(
      '--distributed needs a server with a backend per connection, and PGlite serves all from one: run without --distributed',
    );
  }
  throw new DatabaseError('this server is PGlite, whose wire protocol has no COPY: pass --write-method insert', { code: 'TARGET' });
}
