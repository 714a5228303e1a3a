/**
 * `embed watch` as a user runs it (the real CLI, real workers, the test PostgreSQL): it catches up, then
 * embeds rows inserted, edited and deleted while it runs, by polling and with the trigger; its /metrics
 * parse as Prometheus text and count the rows written; SIGTERM stops it with nothing lost; a dropped or
 * altered table, a changed model file and a second watcher each stop it (or it) with one line.
 */
import { copyFileSync, cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { family as familyOf, scrape, value as metricValue } from '../helpers/prometheus.js';
import { textFor } from '../helpers/fixtures.js';
import { rowsOutOfStep } from '../helpers/target-check.js';
import { startWatcher, waitUntil, type Watcher } from '../helpers/watcher.js';

const initialRows = 300;

describe('embed watch', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-watch-');
  const { dir } = fixture;
  const client = () => fixture.db.client;

  const createNotes = async (table: string) => {
    await client().query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, text text)`);
    await client().query(`INSERT INTO ${table} (text) SELECT unnest($1::text[])`, [
      Array.from({ length: initialRows }, (_, i) => textFor(i + 1)),
    ]);
  };
  const watchArgs = (table: string, ...more: string[]) => [
    table,
    '--model',
    modelDir,
    '--workers',
    '1',
    '--database-url',
    fixture.db.url,
    '--state',
    path.join(dir, `${table}.sqlite`),
    ...more,
  ];
  const embeddable = async (table: string) =>
    Number(
      (await client().query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE text IS NOT NULL AND btrim(text) <> ''`)).rows[0]!.n,
    );
  const targetRows = async (table: string) =>
    Number((await client().query<{ n: string }>(`SELECT count(*) AS n FROM ${table}_embeddings`)).rows[0]!.n);
  const inStep = (table: string) =>
    waitUntil(`${table}_embeddings is true to ${table}`, async () => (await rowsOutOfStep(client(), table)) === 0);

  /** Inserts, edits (rows embedded at start) and deletes while the watcher runs; returns the vectors owed. */
  const change = async (table: string): Promise<number> => {
    await client().query(`INSERT INTO ${table} (text) SELECT 'written while watching, number ' || i FROM generate_series(1, 250) AS i`);
    await client().query(`UPDATE ${table} SET text = text || ' (edited)' WHERE id IN (1, 2, 3, 4, 5)`);
    await client().query(`UPDATE ${table} SET text = '' WHERE id = 6`);
    await client().query(`DELETE FROM ${table} WHERE id IN (7, 8, 9)`);
    return 250 + 5;
  };

  const stopCleanly = async (watcher: Watcher) => {
    const result = await watcher.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(0);
    expect(watcher.events.map((e) => e.event)).toContain('stop');
    return result;
  };

  it('by polling: embeds rows inserted and edited while it runs, drops the vectors of deleted and emptied rows; /metrics counts them', async () => {
    await createNotes('polled');
    const watcher = startWatcher(watchArgs('polled', '--metrics-port', '0'));
    const start = await watcher.waitFor('start');
    expect(start.mode).toBe('polling');
    const caughtUp = await watcher.waitFor('caught-up');
    expect(caughtUp.rows).toBe(await embeddable('polled'));
    const atStart = await embeddable('polled');

    const owed = await change('polled');
    await inStep('polled');
    expect(await targetRows('polled')).toBe(await embeddable('polled'));

    const health = await fetch(`http://127.0.0.1:${start.metricsPort as number}/healthz`);
    expect(health.status).toBe(200);
    const families = await scrape(start.metricsPort as number);
    const family = (name: string) => familyOf(families, name);
    const value = (name: string) => metricValue(families, name);
    expect(family('embed_rows_embedded_total').type).toBe('COUNTER');
    expect(family('embed_rows_embedded_total').metrics[0]!.labels).toEqual({
      table: '"public"."polled"',
      model: expect.stringMatching(/^tiny-random@[0-9a-f]{12}$/),
    });
    expect(value('embed_rows_embedded_total')).toBe(atStart + owed);
    expect(value('embed_rows_inferred_total')).toBeLessThanOrEqual(atStart + owed);
    expect(value('embed_rows_failed_total')).toBe(0);
    expect(value('embed_backlog_rows')).toBe(0);
    expect(value('embed_database_up')).toBe(1);
    expect(value('embed_model_loaded')).toBe(1);
    // Idle between looks: no worker computing.
    expect(value('embed_workers_busy')).toBe(0);
    expect(family('embed_freshness_lag_seconds').type).toBe('HISTOGRAM');
    // The parser keeps a labelled histogram's buckets only (one set, its count and sum dropped).
    expect(family('embed_batch_stage_seconds').type).toBe('HISTOGRAM');
    expect(Number(family('embed_batch_stage_seconds').metrics[0]!.buckets!['+Inf'])).toBeGreaterThan(0);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);

    await stopCleanly(watcher);
  });

  it('with --install-trigger: says what it adds, is woken by a notification, and embed unwatch removes exactly that', async () => {
    await createNotes('triggered');
    const watcher = startWatcher(watchArgs('triggered', '--install-trigger'));
    expect((await watcher.waitFor('start')).mode).toBe('trigger');
    await watcher.waitFor('caught-up');
    const added = watcher.events.filter((e) => e.event === 'trigger').map((e) => e.message);
    expect(added).toEqual([
      `created function "public"."embed_watch_notify"() (sends pg_notify('embed_watch', <table oid>))`,
      `created trigger "embed_watch" on "public"."triggered": AFTER INSERT OR UPDATE OF "id", "text", FOR EACH STATEMENT, calls "public"."embed_watch_notify"()`,
    ]);

    // Woken by the notification, not by its 10-second look at the table without one.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = Date.now();
    await client().query(`INSERT INTO triggered (text) VALUES ('one row, noticed by its notification')`);
    await inStep('triggered');
    expect(Date.now() - before).toBeLessThan(8_000);

    await change('triggered');
    await inStep('triggered');
    expect(await targetRows('triggered')).toBe(await embeddable('triggered'));
    await stopCleanly(watcher);

    const removed = await runCli(['unwatch', 'triggered', '--database-url', fixture.db.url]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(
      `dropped trigger "embed_watch" on "public"."triggered"\ndropped function "public"."embed_watch_notify"()\n`,
    );
    const left = await client().query(`SELECT 1 FROM pg_trigger WHERE tgrelid = 'triggered'::regclass AND NOT tgisinternal`);
    expect(left.rowCount).toBe(0);
    const again = await runCli(['unwatch', 'triggered', '--database-url', fixture.db.url]);
    expect(again.stdout).toBe(`nothing to remove: "public"."triggered" has no embed_watch trigger\n`);
  });

  it('SIGTERM in the middle of a burst finishes the batches in flight and saves progress: the next run embeds exactly the rest', async () => {
    await createNotes('stopped');
    const watcher = startWatcher(watchArgs('stopped', '200'));
    await watcher.waitFor('caught-up');
    const embeddedAtStart = await targetRows('stopped');
    await client().query(
      `INSERT INTO stopped (text) SELECT 'burst row ' || i || ' ' || repeat('word ', i % 30) FROM generate_series(1, 4000) AS i`,
    );
    await waitUntil('the burst is being embedded', async () => (await targetRows('stopped')) > embeddedAtStart);
    await stopCleanly(watcher);
    const stoppedWith = await targetRows('stopped');

    const rest = await runCli([...watchArgs('stopped'), '--json']);
    expect(rest.code, rest.stderr).toBe(0);
    // Nothing lost, nothing written twice: the run embeds just what the watcher had not committed.
    expect(JSON.parse(rest.stdout).rowsEmbedded).toBe((await embeddable('stopped')) - stoppedWith);
    expect(await rowsOutOfStep(client(), 'stopped')).toBe(0);
  });

  it('refuses a second watcher on the same job', async () => {
    await createNotes('twice');
    const first = startWatcher(watchArgs('twice'));
    await first.waitFor('caught-up');
    const second = await runCli(['watch', ...watchArgs('twice')]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /^embed: another embed run \(pid \d+ on .+\) is working on this job; wait for it to finish or stop it\n$/,
    );
    await stopCleanly(first);
  });

  it('stops with one line and exit 1 when its table is dropped', async () => {
    await createNotes('dropped');
    const watcher = startWatcher(watchArgs('dropped'));
    await watcher.waitFor('caught-up');
    await client().query('DROP TABLE dropped CASCADE');
    const result = await watcher.done;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'embed: table "public"."dropped" was dropped; stopped watching (progress is saved): start embed watch again once the table is as it should be',
    );
  });

  it('stops with one line and exit 1 when its text column changes type', async () => {
    await createNotes('altered');
    const watcher = startWatcher(watchArgs('altered'));
    await watcher.waitFor('caught-up');
    await client().query('ALTER TABLE altered ALTER COLUMN text TYPE varchar(500)');
    const result = await watcher.done;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'embed: table "public"."altered" was altered: column "text" is now character varying(500), was text; stopped watching (progress is saved): start embed watch again once the table is as it should be',
    );
  });

  it('stops rather than mix two models when its model file changes on disk', async () => {
    await createNotes('remodelled');
    const copy = path.join(dir, 'model-copy');
    cpSync(modelDir, copy, { recursive: true });
    const watcher = startWatcher(watchArgs('remodelled').map((arg) => (arg === modelDir ? copy : arg)));
    await watcher.waitFor('caught-up');
    const onnx = path.join(copy, 'onnx');
    const other = readdirSync(onnx).find((file) => file !== 'model.onnx' && file.endsWith('.onnx'));
    if (other === undefined) throw new Error(`the test model has one .onnx file only: ${readdirSync(onnx).join(', ')}`);
    copyFileSync(path.join(onnx, other), path.join(onnx, 'model.onnx'));
    await client().query(`INSERT INTO remodelled (text) VALUES ('written after the model changed')`);
    const result = await watcher.done;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      /^embed: model file .*model\.onnx changed \(sha256 [0-9a-f]{12} at start, [0-9a-f]{12} now\) while watching; stopped so that one target never mixes two models/,
    );
    const mixed = await client().query(`SELECT DISTINCT model FROM remodelled_embeddings`);
    expect(mixed.rowCount).toBe(1);
  });
});
