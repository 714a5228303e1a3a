/**
 * `embed status <table>`: the job's identity, rows done of the table's rows (exact, from the server),
 * the last run and its speed, an ETA, failures and the state file, as text or --json; a table with
 * several jobs asks which one, and a missing state file is one line.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { credentialsOnly, runCli, serverOf } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';

const rows = 3_000;

describe('embed status', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-status-', async (db) => {
    await createTextTable(db.client, 'sentences', rows);
    status = (...extra) => runCli(['status', 'sentences', '--database-url', db.url, '--state', state, ...extra]);
  });
  const state = path.join(fixture.dir, 'state.sqlite');
  let status: (...extra: string[]) => ReturnType<typeof runCli>;

  it('reports a partial job exactly, as JSON and as text', async () => {
    const run = await runCli([
      'sentences',
      '--workers',
      '2',
      '--limit',
      '1000',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
    ]);
    expect(run.code, run.stderr).toBe(0);

    const json = await status('--json');
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      job: {
        source: '"public"."sentences"',
        idColumn: 'id',
        textColumn: 'text',
        target: '"public"."sentences_embeddings"',
        model: path.basename(modelDir),
        dimension: 32,
      },
      stateFile: state,
      rowsDone: 1000,
      rowsTotal: rows,
      checkingTarget: false,
      watermark: '1000',
      ranges: [],
      lastRun: { outcome: 'completed' },
      failures: 0,
      runningPid: null,
    });
    expect(report.percent).toBeCloseTo(100 / 3, 5);
    expect(report.rowsPerSecond).toBeGreaterThan(0);
    expect(report.etaSeconds).toBeCloseTo(2000 / report.rowsPerSecond, 5);

    const text = await status();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('job         "public"."sentences" (id, text) -> "public"."sentences_embeddings" on ');
    expect(text.stdout).toContain('rows        1,000 of 3,000 done (33.3%), 2,000 to go\n');
    expect(text.stdout).toMatch(/\nlast run {4}completed, .* UTC, \d[\d,]* rows at \d+\.\d rows\/s\n/);
    expect(text.stdout).toMatch(/\nETA {9}\d.* at \d+\.\d rows\/s\n/);
    expect(text.stdout).toContain('failures    0\n');
    expect(text.stdout).toContain(`state file  ${state}\n`);
  });

  it('asks which job when a table has several, and says so when there is no state file', async () => {
    const other = await runCli([
      'sentences',
      '--workers',
      '1',
      '--limit',
      '200',
      '--target',
      'more_embeddings',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
    ]);
    expect(other.code, other.stderr).toBe(0);
    const ambiguous = await status();
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr.split('\n')[0]).toBe(
      `embed: 2 jobs on "public"."sentences" in ${state} (tiny-random -> "public"."sentences_embeddings", tiny-random -> "public"."more_embeddings"); pick one with --model or --target`,
    );
    const picked = await status('--target', 'more_embeddings', '--json');
    expect(JSON.parse(picked.stdout)).toMatchObject({ rowsDone: 200, job: { target: '"public"."more_embeddings"' } });

    const missing = await runCli([
      'status',
      'sentences',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'nowhere.sqlite'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `embed: no state file at ${path.join(fixture.dir, 'nowhere.sqlite')}; pass the --state the job ran with (or set EMBED_STATE)\n`,
    );
  });

  it('keeps the last real speed after a run with nothing to do; reads the database recorded for the job when given none', async () => {
    await createTextTable(fixture.db.client, 'notes', 300);
    const embed = () => runCli(['notes', '--workers', '1', '--model', modelDir, '--database-url', fixture.db.url, '--state', state]);
    expect((await embed()).code).toBe(0);
    const idle = await embed();
    expect(idle.code, idle.stderr).toBe(0);

    const report = JSON.parse((await runCli(['status', 'notes', '--database-url', fixture.db.url, '--state', state, '--json'])).stdout);
    expect(report.lastRun).toMatchObject({ rows: 0, outcome: 'completed' });
    expect(report.lastMeasuredRun.rows).toBeGreaterThan(0);
    expect(report.rowsPerSecond).toBe(report.lastMeasuredRun.rowsPerSecond);
    expect(report.database).toEqual({ read: expect.stringMatching(/:\d+\//), from: '--database-url' });

    // No --database-url, DATABASE_URL or PG* server variable: the job's own server and database, with
    // only the user and password from the environment, as psql takes them.
    const recorded = await runCli(['status', 'notes', '--state', state], credentialsOnly(fixture.db.url));
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stdout).toMatch(
      /\nlast run {4}completed, .* UTC, nothing to do; the last run that embedded rows: \d[\d,]* rows at \d+\.\d rows\/s \(.* UTC\)\n/,
    );
    expect(recorded.stdout).toContain(
      `\ndatabase    ${report.database.read}, recorded for the job (no --database-url, DATABASE_URL or PG* variable given)\n`,
    );
    expect(report.database.read).toBe(serverOf(fixture.db.url));
  });
});
