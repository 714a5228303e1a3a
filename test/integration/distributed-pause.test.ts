/**
 * A host suspended (SIGSTOP, as a suspended VM or a long stall does) for longer than the lease while
 * one of its sessions is inside a transaction: the server ends that session, and the host, once resumed,
 * takes up a new one and redoes what was in flight, with no crash and no batch given up. The host stops
 * itself at the exact point through the EMBED_TEST_STOP_AT test hook (common/test-stop.ts).
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { startHost, untilStopped } from '../helpers/hosts.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const rows = 800;

describe('embed --distributed: a host paused inside a transaction for longer than the lease', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-distributed-pause-');
  // One worker: the hook stops the process at the first batch's COMMIT of its only thread.
  const command = (target: string) => [
    'sentences',
    '50',
    '--sort-window',
    '100',
    '--workers',
    '1',
    '--model',
    modelDir,
    '--database-url',
    fixture.db.url,
    '--distributed',
    '--lease',
    '3',
    '--target',
    target,
    '--json',
  ];

  it('paused while planning the pass: the other host plans once the server ends its session; resumed, it joins the finished pass; both exit 0', async () => {
    const target = 'planner_paused';
    const paused = startHost(fixture.dir, 'planner', command(target), { env: { EMBED_TEST_STOP_AT: 'planning' } });
    try {
      await untilStopped(paused);
      // It holds the planning lock inside its transaction: the other host waits for the server to end that session.
      const other = await startHost(fixture.dir, 'other', command(target)).done;
      expect(other.code, other.stderr).toBe(0);
    } finally {
      paused.child.kill('SIGCONT');
    }
    const resumed = await paused.done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toMatch(/Unhandled|25P03|\n\s+at /);
    await expectSameAsFreshRun(fixture.db.client, { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });
  });

  it("paused between a write and its COMMIT while its rows were edited and re-embedded by the host that took its ranges over: resumed, it redoes the batch without writing back the older texts' vectors; both exit 0", async () => {
    const target = 'writer_paused';
    const paused = startHost(fixture.dir, 'writer', command(target), { env: { EMBED_TEST_STOP_AT: 'commit' } });
    try {
      await untilStopped(paused);
      // Its batch holds the texts it read: every text changes now, before the other host reads them.
      await fixture.db.client.query(`UPDATE sentences SET text = text || ' (edited)' WHERE text ~ '[^[:space:]]'`);
      const other = await startHost(fixture.dir, 'other', command(target)).done;
      expect(other.code, other.stderr).toBe(0);
    } finally {
      paused.child.kill('SIGCONT');
    }
    const resumed = await paused.done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toMatch(/Unhandled|cannot write|\n\s+at /);
    // Every row holds the vector of its text now, as a clean single-host run writes it.
    await expectSameAsFreshRun(fixture.db.client, { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });
  });

  it('with --column (no content hash), the same: the column of each row the other host wrote for its new text keeps that vector', async () => {
    const command = [
      'sentences',
      '50',
      '--sort-window',
      '100',
      '--workers',
      '1',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--distributed',
      '--lease',
      '3',
      '--column',
      'paused_vector',
      '--json',
    ];
    const paused = startHost(fixture.dir, 'column-writer', command, { env: { EMBED_TEST_STOP_AT: 'commit' } });
    try {
      await untilStopped(paused);
      await fixture.db.client.query(`UPDATE sentences SET text = text || ' (edited again)' WHERE text ~ '[^[:space:]]'`);
      const other = await startHost(fixture.dir, 'column-other', command).done;
      expect(other.code, other.stderr).toBe(0);
    } finally {
      paused.child.kill('SIGCONT');
    }
    const resumed = await paused.done;
    expect(resumed.code, resumed.stderr).toBe(0);
    // A clean single-host run over the texts as they are now, into a side table, is what the column must hold.
    const fresh = await runCli([
      'sentences',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--target',
      'column_fresh',
      '--state',
      path.join(fixture.dir, 'column-fresh.sqlite'),
      '--json',
    ]);
    expect(fresh.code, fresh.stderr).toBe(0);
    const expected = await storedEmbeddings(fixture.db.client, 'column_fresh');
    const actual = await storedEmbeddings(
      fixture.db.client,
      '(SELECT id, paused_vector AS embedding FROM sentences WHERE paused_vector IS NOT NULL) AS c',
    );
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    let worst = 0;
    for (const [id, vector] of expected) worst = Math.max(worst, maxAbsDifference(actual.get(id)!, vector));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
