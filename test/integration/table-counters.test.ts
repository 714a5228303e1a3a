/**
 * The table counters' proof that nothing was written (src/source/table-counters.ts) on a server where
 * every connection is served by one backend (PGlite over a socket): a writer's counts wait in that
 * backend, which is also the run's own, and PostgreSQL shares a backend's counts at most once a second.
 * An insert right after a shared flush must still stop the proof.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../dist/src/source/source-table.js';
import { provenUnchanged, readCounters } from '../../dist/src/source/table-counters.js';
import { freePort } from '../helpers/free-port.js';

describe('the table counters on a single-backend server (PGlite)', () => {
  let pglite: PGlite;
  let server: PGLiteSocketServer;
  let run: pg.Client;
  let writer: pg.Client;

  beforeAll(async () => {
    pglite = await PGlite.create();
    await pglite.exec("CREATE TABLE sentences (id bigint PRIMARY KEY, text text); INSERT INTO sentences VALUES (1, 'one')");
    const port = await freePort();
    server = new PGLiteSocketServer({ db: pglite, port, host: '127.0.0.1', maxConnections: 4 });
    await server.start();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    run = new pg.Client({ connectionString: url });
    writer = new pg.Client({ connectionString: url });
    await run.connect();
    await writer.connect();
  });
  afterAll(async () => {
    await run?.end();
    await writer?.end();
    await server?.stop();
    await pglite?.close();
  });

  it('proves an untouched table unchanged, and not once a row was inserted, however soon the proof comes', async () => {
    const source = await describeSource(run, { name: 'sentences' }, 'id', 'text');
    // Reading the counters shares what the backend holds; the insert's own counts then wait for the
    // next shared flush, a second later, unless the proof asks for one.
    const recorded = await readCounters(run, source);
    expect(recorded).toBeDefined();
    expect(await provenUnchanged(run, source, recorded)).toBe(true);
    await writer.query("INSERT INTO sentences VALUES (2, 'two')");
    expect(await provenUnchanged(run, source, recorded)).toBe(false);
    // Recorded after the insert, the counters include it.
    expect(await provenUnchanged(run, source, await readCounters(run, source))).toBe(true);
  });
});
