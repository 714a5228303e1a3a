/**
 * A watcher writes a completed pass's snapshot to the target's comment at its first pass, then at most
 * once a minute, and once more when it stops (the state file is the record it resumes from). A state
 * file lost while the comment lags several passes behind loses nothing: a plain run catches up from the
 * comment's older snapshot and embeds exactly what the target lacks, late commits below the watermark
 * included.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { rowsOutOfStep } from '../helpers/target-check.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';

interface Snapshot {
  xmin: string;
  next: string;
}

describe("the target's comment under a watcher", () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-watch-comment-');
  const client = () => fixture.db.client;
  const args = (table: string, state: string) => [
    table,
    '--model',
    modelDir,
    '--workers',
    '1',
    '--database-url',
    fixture.db.url,
    '--state',
    state,
  ];
  const commentSnapshot = async (table: string): Promise<Snapshot> => {
    const comment = (await client().query<{ c: string }>(`SELECT obj_description('${table}_embeddings'::regclass, 'pg_class') AS c`))
      .rows[0]!.c;
    return (JSON.parse(comment.slice(comment.indexOf('{'))) as { snapshot: Snapshot }).snapshot;
  };
  const inStep = (table: string) =>
    waitUntil(`${table}_embeddings is true to ${table}`, async () => (await rowsOutOfStep(client(), table)) === 0);
  /** Three bursts, each embedded before the next: three completed passes. */
  const bursts = async (table: string, from: number) => {
    for (let burst = 0; burst < 3; burst++) {
      const first = from + burst * 10;
      await client().query(`INSERT INTO ${table} (id, text) SELECT i, 'burst row ' || i FROM generate_series(${first}, ${first + 9}) AS i`);
      await inStep(table);
    }
  };

  it('is written at the first pass, not at each pass after, and brought up to date at the stop', async () => {
    await createTextTable(client(), 'paced', 200);
    const watcher = startWatcher(args('paced', path.join(fixture.dir, 'paced.sqlite')));
    await watcher.waitFor('caught-up');
    const first = await commentSnapshot('paced');
    await bursts('paced', 1000);
    expect(await commentSnapshot('paced')).toEqual(first);
    const result = await watcher.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(0);
    const last = await commentSnapshot('paced');
    expect(BigInt(last.next)).toBeGreaterThan(BigInt(first.next));
  });

  it('a state file lost while the comment lags behind: the next run embeds exactly what the target lacks, a late commit included', async () => {
    await createTextTable(client(), 'lagging', 200);
    const state = path.join(fixture.dir, 'lagging.sqlite');
    const watcher = startWatcher(args('lagging', state));
    await watcher.waitFor('caught-up');
    const first = await commentSnapshot('lagging');
    // A transaction that starts now and commits after the watcher's later passes: its row lies below
    // the watermark those passes reach.
    const late = new pg.Client({ connectionString: fixture.db.url });
    await late.connect();
    await late.query('BEGIN');
    await late.query(`INSERT INTO lagging (id, text) VALUES (500, 'committed late, below the watermark')`);
    await bursts('lagging', 1000);
    expect(await commentSnapshot('lagging')).toEqual(first);
    // Killed: the comment keeps the first pass's snapshot; then the state file is lost too.
    watcher.child.kill('SIGKILL');
    await watcher.done;
    expect(await commentSnapshot('lagging')).toEqual(first);
    await late.query('COMMIT');
    await late.end();
    rmSync(state);
    await client().query(`UPDATE lagging SET text = text || ' (edited)' WHERE id IN (1, 2, 3)`);
    const owed = await rowsOutOfStep(client(), 'lagging');
    expect(owed).toBe(4);

    const run = await runCli([...args('lagging', state), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('rebuilding it from "public"."lagging_embeddings" from the rows written since its last complete pass');
    expect(JSON.parse(run.stdout).rowsEmbedded).toBe(owed);
    expect(await rowsOutOfStep(client(), 'lagging')).toBe(0);
  });
});
