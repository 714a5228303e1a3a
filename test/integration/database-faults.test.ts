/**
 * Database faults, on a PostgreSQL server of this file's own (the shared one cannot be restarted):
 * - the server restarts mid-run: workers reconnect, the run completes with every row exactly once;
 * - the server stays down past --db-down-budget: the run stops cleanly (exit 1, host and port named,
 *   no password, "run the same command again"), and the same command then completes the job;
 * - another session holds a lock on the target, or a write outlasts --statement-timeout: the run
 *   stops within the limit with a message that says which, and a rerun completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { createTextTable, textFor } from '../helpers/fixtures.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

const password = 'Db-Fault-Secret-7c1';
const embeddableIn = (rows: number) =>
  Array.from({ length: rows }, (_, i) => textFor(i + 1)).filter((t) => t !== null && t.trim() !== '').length;
/** Long enough to stop the server mid-run; the lock and timeout cases need only a few batches. */
const tables = { sentences: 16_000, small: 1_000 };

describe('database faults', () => {
  const modelDir = inject('tinyModelDir');
  let stateDir: string;
  let server: ThrowawayServer;
  let url: string;
  let admin: pg.Client;

  const connectAdmin = async () => {
    admin = new pg.Client({ connectionString: url });
    admin.on('error', () => undefined);
    await admin.connect();
  };
  const cli = (table: keyof typeof tables, target: string, extra: string[] = []) =>
    runCli([
      table,
      '20',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--target',
      target,
      '--database-url',
      url,
      '--state',
      path.join(stateDir, `${target}.sqlite`),
      ...extra,
    ]);
  /** Rows in the target, or -1 while the server is away. */
  const countIn = async (target: string): Promise<number> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return Number((await client.query(`SELECT count(*) AS n FROM ${target}`)).rows[0].n);
    } catch {
      return -1;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  /** Resolves once the run has stored this many rows; fails with the run's output if it ended first. */
  const underWay = async (run: Promise<CliResult>, target: string, stored: number) => {
    let ended: CliResult | undefined;
    void run.then((result) => (ended = result));
    const deadline = Date.now() + 60_000;
    while ((await countIn(target)) < stored) {
      if (ended) throw new Error(`the run ended before storing ${stored} rows (exit ${ended.code}): ${ended.stderr}`);
      if (Date.now() > deadline) throw new Error(`the run did not store ${stored} rows within a minute`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const expectEveryRowOnce = async (table: keyof typeof tables, target: string) => {
    const embeddable = embeddableIn(tables[table]);
    const check = await admin.query<{ stored: string; distinct: string; missing: string }>(
      `SELECT (SELECT count(*) FROM ${target}) AS stored,
              (SELECT count(DISTINCT id) FROM ${target}) AS distinct,
              (SELECT count(*) FROM ${table} s WHERE btrim(coalesce(s.text, '')) <> ''
                  AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = s.id)) AS missing`,
    );
    expect(check.rows[0]).toEqual({ stored: String(embeddable), distinct: String(embeddable), missing: '0' });
  };
  const expectNoSecret = (output: string) => {
    expect(output).not.toContain(password);
    expect(output).not.toMatch(/^\s+at /m);
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'embed-db-faults-'));
    server = await startThrowawayServer(password);
    url = server.url();
    await connectAdmin();
    for (const [table, rows] of Object.entries(tables)) await createTextTable(admin, table, rows);
  });
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await server?.destroy();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('server restarted mid-run: the run waits, reconnects and stores every row exactly once', async () => {
    const run = cli('sentences', 'restarted');
    await underWay(run, 'restarted', 2000);
    await admin.end();
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await server.start();
    await connectAdmin();
    const result = await run;
    expect(result.stderr).toMatch(new RegExp(`lost PostgreSQL at 127\\.0\\.0\\.1:${server.port}/postgres`));
    expect(result.stderr).toMatch(/is back after [\d.]+s/);
    expectNoSecret(result.stdout + result.stderr);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${embeddableIn(tables.sentences)} rows embedded`);
    await expectEveryRowOnce('sentences', 'restarted');
  });

  it('server down past --db-down-budget: stops with progress saved, and the same command completes', async () => {
    const run = cli('sentences', 'budget', ['--db-down-budget', '3']);
    await underWay(run, 'budget', 2000);
    await admin.end();
    const stoppedAt = Date.now();
    await server.stop();
    const stopped = await run;
    const waited = Date.now() - stoppedAt;
    await server.start();
    await connectAdmin();
    expect(stopped.code).toBe(1);
    const lastLine = stopped.stderr.trim().split('\n').at(-1)!;
    expect(lastLine).toMatch(
      new RegExp(
        `^embed: PostgreSQL at 127\\.0\\.0\\.1:${server.port}/postgres has been unreachable for \\d+s \\(.*\\); progress is saved; run the same command again to resume$`,
      ),
    );
    expectNoSecret(stopped.stdout + stopped.stderr);
    // The budget, the workers' own reconnect attempts and shutting the pool down, not minutes.
    expect(waited).toBeLessThan(20_000);
    const saved = await countIn('budget');
    expect(saved).toBeGreaterThanOrEqual(2000);

    const resumed = await cli('sentences', 'budget', ['--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    // Only what was not committed before the outage is embedded again: at most the tasks that were in
    // flight (2 per worker, of batch x sort window rows each) are redone.
    expect(summary.rowsEmbedded).toBeLessThanOrEqual(embeddableIn(tables.sentences) - saved + 2 * 2 * 20 * 8);
    await expectEveryRowOnce('sentences', 'budget');
  });

  it('target locked by another session: stops after --lock-timeout with a message naming the target', async () => {
    const first = await cli('small', 'locked', ['--limit', '100', '--quiet']);
    expect(first.code).toBe(0);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      // SHARE mode: reads go on, writes wait (what a plain CREATE INDEX on the target does).
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE locked IN SHARE MODE');
      const startedAt = Date.now();
      const blocked = await cli('small', 'locked', ['--lock-timeout', '2']);
      expect(Date.now() - startedAt).toBeLessThan(30_000);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr.trim().split('\n').at(-1)).toBe(
        'embed: target "public"."locked" is locked by another session: no lock within --lock-timeout 2s; progress is saved; ' +
          'run the same command again to resume once the lock is released',
      );
      expectNoSecret(blocked.stdout + blocked.stderr);

      // ACCESS EXCLUSIVE (an ALTER TABLE in progress) blocks the main thread's own reads of the target.
      await holder.query('LOCK TABLE locked IN ACCESS EXCLUSIVE MODE');
      const excluded = await cli('small', 'locked', ['--lock-timeout', '2']);
      expect(excluded.code).toBe(1);
      expect(excluded.stderr).toMatch(
        /^embed: .*locked by another session: no lock within --lock-timeout 2s; .*run the same command again/m,
      );
      expectNoSecret(excluded.stdout + excluded.stderr);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    const resumed = await cli('small', 'locked', ['--quiet']);
    expect(resumed.code).toBe(0);
    await expectEveryRowOnce('small', 'locked');
  });

  it('a write slower than --statement-timeout: stops with a message naming the limit, and a rerun completes', async () => {
    const first = await cli('small', 'slow', ['--limit', '100', '--quiet']);
    expect(first.code).toBe(0);
    await admin.query(`CREATE FUNCTION slow_write() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$`);
    await admin.query('CREATE TRIGGER slow BEFORE INSERT ON slow FOR EACH STATEMENT EXECUTE FUNCTION slow_write()');
    const timedOut = await cli('small', 'slow', ['--statement-timeout', '1']);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr.trim().split('\n').at(-1)).toBe(
      'embed: writing a batch to "public"."slow" took longer than --statement-timeout 1s; use a smaller batch size or raise the timeout; ' +
        'progress is saved; run the same command again to resume',
    );
    await admin.query('DROP TRIGGER slow ON slow');
    const resumed = await cli('small', 'slow', ['--quiet']);
    expect(resumed.code).toBe(0);
    await expectEveryRowOnce('small', 'slow');
  });
});
