/** The state file on its own: passes, progress, failures, runs, locks, older files and corrupt ones. */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../dist/common/errors.js';
import type { JobIdentity } from '../../dist/src/state/job-state.js';
import { StateStore } from '../../dist/src/state/state-store.js';

const identity: JobIdentity = {
  database: 'localhost:5432/db',
  source: '"public"."sentences"',
  idColumn: 'id',
  textColumn: 'text',
  target: '"public"."sentences_embeddings"',
  model: 'tiny',
  modelHash: 'ab'.repeat(32),
  dimension: 32,
};

describe('StateStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'embed-state-unit-'));
    file = path.join(dir, 'nested', 'state.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps progress per job across opens, in WAL mode with full fsync', () => {
    const store = StateStore.open(file, { ifCorrupt: 'refuse' });
    const job = store.job(identity);
    expect(job.progress()).toEqual({ watermark: null, ranges: [], rowsDone: 0, checkTarget: false, generation: null, passOpen: false });
    const since = { xmin: '90', next: '95' };
    const snapshot = {
      xmin: '100',
      next: '104',
      counters: { inserted: '5', updated: '0', deleted: '1', databaseReset: null, serverReset: null },
    };
    job.startPass({ generation: 'g1', checkTarget: true, since, snapshot });
    job.saveProgress('100', [{ after: '200', last: '300' }], 250);
    store.close();

    const again = StateStore.open(file, { ifCorrupt: 'refuse' });
    const same = again.job(identity);
    expect(same.id).toBe(job.id);
    expect(same.progress()).toEqual({
      watermark: '100',
      ranges: [{ after: '200', last: '300' }],
      rowsDone: 250,
      checkTarget: true,
      generation: 'g1',
      passOpen: true,
      passSince: since,
      passSnapshot: snapshot,
    });
    same.completePass('400');
    // The completed pass's snapshot is the one the next pass catches up from.
    expect(same.progress()).toEqual({
      watermark: '400',
      ranges: [],
      rowsDone: 250,
      checkTarget: false,
      generation: 'g1',
      passOpen: false,
      snapshot,
    });
    expect(again.job({ ...identity, model: 'other' }).id).not.toBe(job.id);
    expect(again.jobs().map((j) => j.identity.model)).toEqual(['tiny', 'other']);
    again.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('records failures, clears them, and keeps a history of runs', () => {
    const store = StateStore.open(file, { ifCorrupt: 'refuse' });
    const job = store.job(identity);
    job.recordFailure('7', 'boom');
    job.recordFailure('7', 'boom again');
    job.recordFailure('9', 'bad');
    expect(job.failures().map(({ rowId, error, attempts }) => ({ rowId, error, attempts }))).toEqual([
      { rowId: '7', error: 'boom again', attempts: 2 },
      { rowId: '9', error: 'bad', attempts: 1 },
    ]);
    job.clearFailures(['7', 'nope']);
    expect(job.failureCount()).toBe(1);

    expect(job.lastRun()).toBeUndefined();
    const first = job.startRun();
    job.endRun(first, { rows: 10, skipped: 1, failed: 0, rowsPerSecond: 5, outcome: 'completed' });
    job.startRun();
    expect(job.lastRun()).toMatchObject({ endedAt: null, rows: null, outcome: null });
    expect(job.lastRate()).toBe(5);

    job.lock();
    expect(job.lockHolder()).toMatchObject({ pid: process.pid, host: os.hostname() });
    job.unlock();
    expect(job.lockHolder()).toBeUndefined();
    job.forget();
    expect(store.jobs()).toEqual([]);
    store.close();
  });

  it('adds the newer columns to a file written before them', () => {
    StateStore.open(file, { ifCorrupt: 'refuse' }).close();
    const raw = new Database(file);
    raw.exec('ALTER TABLE jobs DROP COLUMN check_target; ALTER TABLE jobs DROP COLUMN generation');
    raw
      .prepare('INSERT INTO jobs (key, identity, watermark) VALUES (?, ?, ?)')
      .run(JSON.stringify(identity), JSON.stringify(identity), '42');
    raw.close();
    const store = StateStore.open(file, { ifCorrupt: 'refuse' });
    expect(store.job(identity).progress()).toMatchObject({ watermark: '42', checkTarget: false, generation: null });
    store.close();
  });

  it('moves a corrupt file aside, or refuses it, as asked', () => {
    const dirOf = path.dirname(file);
    StateStore.open(file, { ifCorrupt: 'refuse' }).close();
    writeFileSync(file, 'garbage '.repeat(1000));
    expect(() => StateStore.open(file, { ifCorrupt: 'refuse' })).toThrow(StateError);
    expect(() => StateStore.open(file, { ifCorrupt: 'refuse' })).toThrow(/is corrupt \(file is not a database\)/);

    const store = StateStore.open(file, { ifCorrupt: 'move-aside' });
    expect(store.movedAside).toMatch(/state\.sqlite\.corrupt-/);
    expect(existsSync(store.movedAside!)).toBe(true);
    expect(store.jobs()).toEqual([]);
    store.close();
    expect(readdirSync(dirOf).filter((f) => f.includes('.corrupt-')).length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a missing file when asked to read one', () => {
    expect(() => StateStore.open(file, { ifCorrupt: 'refuse', mustExist: true })).toThrow(
      `no state file at ${file}; pass the --state the job ran with (or set EMBED_STATE)`,
    );
  });

  it('gives a job recorded before tokenizers were part of the identity its tokenizer, keeping its progress', () => {
    const store = StateStore.open(file, { ifCorrupt: 'refuse' });
    const older = store.job(identity);
    older.startPass({ generation: 'g1', checkTarget: false });
    older.saveProgress('100', [], 100);
    const withTokenizer = store.job({ ...identity, tokenizerHash: 'cd'.repeat(32) });
    expect(withTokenizer.id).toBe(older.id);
    expect(withTokenizer.progress()).toMatchObject({ watermark: '100', rowsDone: 100, generation: 'g1' });
    expect(store.jobs().map((j) => j.identity.tokenizerHash)).toEqual(['cd'.repeat(32)]);
    // Once recorded, another tokenizer is another job (the target's marker is what refuses it).
    expect(store.job({ ...identity, tokenizerHash: 'ef'.repeat(32) }).id).not.toBe(older.id);
    store.close();
  });
});
