/**
 * Each kind of session the engine opens, ended by the server mid-run (pg_terminate_backend, as an
 * administrator or a pooler would): the main thread's reads, a worker's write, pg-boss's pool of a
 * distributed host, and a watcher's LISTEN connection. The run or the watcher takes up a new session
 * and goes on: it completes, exit 0, and the target is what a clean run makes (a single-host run also
 * records its pass in the target's comment, through a connection that reconnects). Sessions are told apart
 * by what they last ran (all of a run's are named `embed <pid>`).
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { textFor } from '../helpers/fixtures.js';
import { createTargetOnOneHost, holdWrites, startHost, untilWritesWait } from '../helpers/hosts.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { rowsOutOfStep } from '../helpers/target-check.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';

const rows = 600;

describe('a session of the engine ended by the server mid-run', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-sessions-terminated-');
  const client = () => fixture.db.client;

  /** Ends the sessions of process `pid` that match `condition` (on pg_stat_activity); how many it ended. */
  const terminate = async (pid: number, condition: string): Promise<number> => {
    const ended = await client().query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND ${condition}`,
      [`embed ${pid}`],
    );
    return ended.rowCount ?? 0;
  };

  it("a distributed host's reads, a worker's write and pg-boss's sessions: the host goes on and completes, exit 0", async () => {
    const target = 'terminated_embeddings';
    await createTargetOnOneHost({ databaseUrl: fixture.db.url, modelDir, target, stateFile: path.join(fixture.dir, 'create.sqlite') });
    const held = await holdWrites(fixture.db.url, target);
    const host = startHost(fixture.dir, 'host', [
      'sentences',
      '50',
      '--sort-window',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--distributed',
      '--lease',
      '5',
      '--target',
      target,
      '--json',
    ]);
    try {
      await untilWritesWait(client(), host);
      const pid = host.child.pid!;
      // A worker whose write waits for the held lock, the main thread's reader, then every pg-boss session.
      expect(
        await terminate(
          pid,
          `wait_event_type = 'Lock' AND query LIKE 'INSERT INTO%' AND pid = (SELECT min(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock')`,
        ),
      ).toBe(1);
      expect(await terminate(pid, `query LIKE '%SELECT src.%FROM "public"."sentences" AS src%'`)).toBeGreaterThan(0);
      expect(await terminate(pid, `query LIKE '%embed_queue%'`)).toBeGreaterThan(0);
    } finally {
      await held.release();
    }
    const result = await host.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Unhandled|\n\s+at /);
    await expectSameAsFreshRun(client(), { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });
  });

  it("a single-host run's reads and a worker's write: the run goes on, completes with exit 0 and records its pass in the target's comment", async () => {
    const target = 'plain_terminated_embeddings';
    await createTargetOnOneHost({
      databaseUrl: fixture.db.url,
      modelDir,
      target,
      stateFile: path.join(fixture.dir, 'create-plain.sqlite'),
    });
    const held = await holdWrites(fixture.db.url, target);
    const { child, done } = startCli([
      'sentences',
      '50',
      '--sort-window',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--target',
      target,
      '--state',
      path.join(fixture.dir, 'plain.sqlite'),
      '--json',
    ]);
    try {
      await untilWritesWait(client(), { name: 'run', dir: fixture.dir, child, done });
      const pid = child.pid!;
      expect(
        await terminate(
          pid,
          `wait_event_type = 'Lock' AND query LIKE 'INSERT INTO%' AND pid = (SELECT min(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock')`,
        ),
      ).toBe(1);
      expect(await terminate(pid, `query LIKE '%SELECT src.%FROM "public"."sentences" AS src%'`)).toBeGreaterThan(0);
    } finally {
      await held.release();
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/comment keeps an older record|Unhandled|\n\s+at /);
    await expectSameAsFreshRun(client(), { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });
  });

  it("a watcher's LISTEN connection: it listens again, embeds what was written meanwhile, and stops with exit 0", async () => {
    await client().query(`CREATE TABLE notes (id bigserial PRIMARY KEY, text text)`);
    await client().query(`INSERT INTO notes (text) SELECT unnest($1::text[])`, [Array.from({ length: 50 }, (_, i) => textFor(i + 1))]);
    const watcher = startWatcher([
      'notes',
      '--install-trigger',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'notes.sqlite'),
    ]);
    await watcher.waitFor('caught-up');
    const pid = watcher.child.pid!;
    expect(await terminate(pid, `query LIKE 'LISTEN%'`)).toBe(1);
    await client().query(`INSERT INTO notes (text) VALUES ('written after the listener was ended')`);
    await waitUntil('notes_embeddings is true to notes', async () => (await rowsOutOfStep(client(), 'notes')) === 0);
    // Listening again, on a new session.
    await waitUntil(
      'the watcher listens again',
      async () =>
        (await client().query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [`embed ${pid}`]))
          .rowCount === 1,
    );
    const result = await watcher.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(0);
  });
});
