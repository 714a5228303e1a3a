/**
 * `embed reset <table>` forgets a job's progress but keeps its embeddings, so the next run rebuilds
 * progress from them and embeds nothing again; with --drop-target it also drops the side table (only
 * one that embed marked as its own), and the next run embeds everything.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { credentialsOnly, runCli, serverOf } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { embeddableRows } from '../helpers/progress.js';

const rows = 1_500;

describe('embed reset', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-reset-', async (db) => {
    await createTextTable(db.client, 'sentences', rows);
    embed = () => runCli(['sentences', '--workers', '2', '--model', modelDir, '--database-url', db.url, '--state', state, '--json']);
    reset = (...extra) => runCli(['reset', 'sentences', '--database-url', db.url, '--state', state, ...extra]);
  });
  const state = path.join(fixture.dir, 'state.sqlite');
  let embed: () => ReturnType<typeof runCli>;
  let reset: (...extra: string[]) => ReturnType<typeof runCli>;

  it('forgets progress and keeps the embeddings', async () => {
    expect(JSON.parse((await embed()).stdout).rowsEmbedded).toBe(embeddableRows(rows));
    // No database named: the job's recorded one is used, and said (server and database, no credentials).
    const result = await runCli(['reset', 'sentences', '--state', state], credentialsOnly(fixture.db.url));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `forgot the progress of "public"."sentences" -> "public"."sentences_embeddings" (model tiny-random) in ${state}; ` +
        'the embeddings stay in "public"."sentences_embeddings", and the next run rebuilds progress from them\n' +
        `database    ${serverOf(fixture.db.url)}, recorded for the job (no --database-url, DATABASE_URL or PG* variable given)\n`,
    );
    const status = await runCli(['status', 'sentences', '--database-url', fixture.db.url, '--state', state]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^embed: state file .* has no job for "public"."sentences" with these flags/);

    const again = await embed();
    expect(again.stderr).toMatch(
      /^embed: warning: no progress for this job in state file .*; rebuilding it from "public"."sentences_embeddings"/,
    );
    expect(JSON.parse(again.stdout).rowsEmbedded).toBe(0);
  });

  it('--drop-target drops the side table, only one embed marked as its own', async () => {
    await fixture.db.client.query(`COMMENT ON TABLE sentences_embeddings IS 'the team''s hand-made vectors'`);
    const refused = await reset('--drop-target');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'embed: "public"."sentences_embeddings" has no comment saying embed wrote it, so it is not dropped; drop it yourself if it is yours to drop\n',
    );
    expect((await fixture.db.client.query(`SELECT to_regclass('sentences_embeddings') AS t`)).rows[0].t).not.toBeNull();

    // A run marks the unmarked target as its own again (same model in its rows).
    expect((await embed()).code).toBe(0);
    const dropped = await reset('--drop-target', '--json');
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({
      droppedTarget: '"public"."sentences_embeddings"',
      stateFile: state,
      database: { read: expect.stringMatching(/^[^@]+:\d+\/[^/]+$/), from: '--database-url' },
    });
    expect((await fixture.db.client.query(`SELECT to_regclass('sentences_embeddings') AS t`)).rows[0].t).toBeNull();

    const fresh = await embed();
    expect(fresh.stderr).toBe('');
    expect(JSON.parse(fresh.stdout).rowsEmbedded).toBe(embeddableRows(rows));
  });
});
