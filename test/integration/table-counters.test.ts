/**
 * The table counters' proof that nothing was written (src/source/table-counters.ts) on a server where
 * every connection is served by one backend (PGlite over a socket): a writer's counts wait in that
 * backend, which is also the run's own, and PostgreSQL shares a backend's counts at most once a second.
 * An insert right after a shared flush must still stop the proof.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../dist/src/source/source-table.js';
import { provenUnchanged, readCounters } from '../../dist/src/source/table-counters.js';
import { startPgliteServer, type PgliteServer } from '../helpers/pglite-server.js';

describe('the table counters on a single-backend server (PGlite)', () => {
  let server: PgliteServer | undefined;
  let run: pg.Client;
  let writer: pg.Client;

  beforeAll(async () => {
    server = await startPgliteServer({ sentences: ['one'] });
    run = new pg.Client({ connectionString: server.url });
    writer = new pg.Client({ connectionString: server.url });
    await run.connect();
    await writer.connect();
  });
  afterAll(async () => {
    await run?.end();
    await writer?.end();
    await server?.stop();
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
