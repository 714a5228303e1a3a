/**
 * The ways a job runs, with chunks (`--chunk`), through the real CLI: `embed watch` catches up, then
 * re-chunks edited rows, cuts inserted ones and loses the chunks of deleted and emptied rows; hosts of a
 * `--distributed` job write each row's chunks once, as a single-host run does, and catch up on edits;
 * rows whose chunks the target refuses are failures (the row is the unit), listed, and embedded by
 * `--retry-failed`; two writes of one row with an edit between them (the first paused before its commit)
 * end with the edit's chunks alone. Every expectation of a row's chunks is computed with the chunker itself.
 */
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cut, expectedChunks, storedChunks, type ExpectedChunks } from '../helpers/chunks.js';
import { useTestDatabase } from '../helpers/database.js';
import { maxAbsDifference } from '../helpers/embeddings.js';
import { createTableOfTexts } from '../helpers/fixtures.js';
import { hostSummary, startHost, untilStopped, untilWritesWait } from '../helpers/hosts.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';

const words = ['river', 'stone', 'quick', 'light', 'garden', 'window', 'music', 'paper', 'winter', 'orange', 'silent', 'market'];
const document = (i: number, sentences: number) =>
  Array.from(
    { length: sentences },
    (_, s) => `${Array.from({ length: 4 + ((i + s) % 9) }, (_, k) => words[(i * 7 + s * 3 + k * 5) % words.length]).join(' ')} ${i}.${s}.`,
  ).join(' ');
/** 600 documents of 1 to 30 sentences, every 50th NULL and every 77th blank. */
const documents = Array.from({ length: 600 }, (_, i) => (i % 50 === 49 ? null : i % 77 === 76 ? ' ' : document(i, 1 + ((i * 11) % 30))));
const window = { tokens: 48, overlap: 8 };
const chunkFlag = '48:8';

describe('chunked jobs: watch, --distributed, failures', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-chunk-runs-', async (db) => {
    await createTableOfTexts(db.client, 'watched', documents);
    await createTableOfTexts(db.client, 'shared', documents);
    await createTableOfTexts(db.client, 'refused', documents);
    await createTableOfTexts(db.client, 'raced', [document(1, 30), document(2, 3), document(3, 5)]);
  });
  const client = () => fixture.db.client;
  let expected: ExpectedChunks;
  beforeAll(async () => {
    expected = await expectedChunks(modelDir);
  });

  /** Rows whose chunks differ from what the chunker cuts of their text now (blank rows: any chunk). */
  const rowsOutOfStep = async (table: string, target = `${table}_chunks`) => {
    const stored = await storedChunks(client(), target);
    const texts = await client().query<{ id: string; text: string | null }>(`SELECT id::text AS id, text FROM ${table}`);
    const ids = new Set(texts.rows.map((r) => r.id));
    let off = [...stored.keys()].filter((id) => !ids.has(id)).length;
    for (const { id, text } of texts.rows) {
      const want = text === null || text.trim() === '' ? [] : cut(expected.chunksOf(text, window));
      if (JSON.stringify(cut(stored.get(id) ?? [])) !== JSON.stringify(want)) off++;
    }
    return off;
  };

  it('embed watch catches up, re-chunks edits, cuts inserts, and drops the chunks of deleted and emptied rows', async () => {
    const state = path.join(fixture.dir, 'watch.sqlite');
    const watcher = startWatcher([
      'watched',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--chunk',
      chunkFlag,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
    ]);
    try {
      await watcher.waitFor('caught-up');
      expect(await rowsOutOfStep('watched')).toBe(0);
      await client().query(`INSERT INTO watched (id, text) SELECT 1000 + i, $1 || ' ' || i FROM generate_series(1, 40) AS i`, [
        document(7, 25),
      ]);
      await client().query(`UPDATE watched SET text = $1 WHERE id IN (1, 2, 3)`, [document(3, 2)]);
      await client().query(`UPDATE watched SET text = text || ' ' || $1 WHERE id IN (4, 5)`, [document(9, 12)]);
      await client().query(`UPDATE watched SET text = '' WHERE id = 6`);
      await client().query(`DELETE FROM watched WHERE id IN (7, 8)`);
      await waitUntil('watched_chunks is true to watched', async () => (await rowsOutOfStep('watched')) === 0, 120_000);
      const gone = await client().query(`SELECT count(*)::int AS n FROM watched_chunks WHERE id IN (6, 7, 8)`);
      expect(gone.rows[0].n).toBe(0);
    } finally {
      const stopped = await watcher.stop('SIGTERM');
      expect(stopped.code, stopped.stderr).toBe(0);
    }
  });

  it('--distributed: two hosts write every row once, chunk for chunk as one host does, and catch up on edits', async () => {
    const single = await runCli([
      'shared',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--chunk',
      chunkFlag,
      '--target',
      'single_chunks',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'single.sqlite'),
      '--quiet',
    ]);
    expect(single.code, single.stderr).toBe(0);
    const command = ['shared', '50', '--workers', '1', '--model', modelDir, '--chunk', chunkFlag, '--database-url', fixture.db.url];
    const hosts = (round: string) =>
      [0, 1].map((i) =>
        startHost(fixture.dir, `${round}-${i}`, [...command, '--distributed', '--lease', '3', '--sort-window', '100', '--json']),
      );
    const first = await Promise.all(hosts('first').map((h) => h.done));
    for (const result of first) expect(result.code, result.stderr).toBe(0);
    expect(first.map((r) => hostSummary(r).rowsEmbedded).reduce((a, b) => a + b, 0)).toBe(
      documents.filter((d) => d !== null && d.trim() !== '').length,
    );
    expect(await rowsOutOfStep('shared')).toBe(0);
    const want = await storedChunks(client(), 'single_chunks');
    const got = await storedChunks(client(), 'shared_chunks');
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    let worst = 0;
    for (const [id, chunks] of want) {
      expect(cut(got.get(id)!)).toEqual(cut(chunks));
      chunks.forEach((chunk, seq) => {
        worst = Math.max(worst, maxAbsDifference(chunk.embedding, got.get(id)![seq]!.embedding));
      });
    }
    expect(worst).toBeLessThanOrEqual(1e-6);

    await client().query(`UPDATE shared SET text = $1 WHERE id % 60 = 1`, [document(11, 3)]);
    await client().query(`DELETE FROM shared WHERE id % 60 = 2`);
    const second = await Promise.all(hosts('second').map((h) => h.done));
    for (const result of second) expect(result.code, result.stderr).toBe(0);
    expect(await rowsOutOfStep('shared')).toBe(0);
  });

  it('a row whose chunks the target refuses is a failure; --retry-failed embeds it once the target accepts', async () => {
    const state = path.join(fixture.dir, 'refused.sqlite');
    const command = [
      'refused',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--chunk',
      chunkFlag,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
      '--json',
    ];
    const prepared = await runCli([...command, '--limit', '1']);
    expect(prepared.code, prepared.stderr).toBe(0);
    await client().query(`
      CREATE FUNCTION reject_cursed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id % 97 = 0 THEN RAISE EXCEPTION 'row % is cursed', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_cursed BEFORE INSERT ON refused_chunks FOR EACH ROW EXECUTE FUNCTION reject_cursed();`);
    const cursed = documents.flatMap((d, i) => ((i + 1) % 97 === 0 && d !== null && d.trim() !== '' ? [String(i + 1)] : []));
    const first = await runCli(command);
    expect(first.code, first.stderr).toBe(3);
    expect(JSON.parse(first.stdout).rowsFailed).toBe(cursed.length);
    const failures = async () =>
      JSON.parse((await runCli(['failures', 'refused', '--database-url', fixture.db.url, '--state', state, '--json'])).stdout) as {
        id: string;
      }[];
    expect((await failures()).map((f) => f.id).sort()).toEqual([...cursed].sort());
    const held = await client().query(`SELECT count(*)::int AS n FROM refused_chunks WHERE id % 97 = 0`);
    expect(held.rows[0].n).toBe(0);

    await client().query('DROP TRIGGER reject_cursed ON refused_chunks');
    const retried = await runCli([...command, '--retry-failed']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout).rowsEmbedded).toBe(cursed.length);
    expect(await failures()).toEqual([]);
    expect(await rowsOutOfStep('refused')).toBe(0);
  });

  it("a late write of an older text, paused before its commit, leaves none of its chunks beside the newer text's", async () => {
    const command = () => [
      'raced',
      '--workers',
      '1',
      '--model',
      modelDir,
      '--chunk',
      chunkFlag,
      '--database-url',
      fixture.db.url,
      '--json',
    ];
    // Without a lock per row the later write's merge would not see the chunks the earlier one commits
    // while it waits, and leave those past its own last chunk behind.
    // The first run writes the long text's chunks and stops itself before its COMMIT, holding them.
    const late = startHost(fixture.dir, 'late', command(), { env: { EMBED_TEST_STOP_AT: 'commit' } });
    await untilStopped(late);
    await client().query(`UPDATE raced SET text = $1 WHERE id = 1`, [document(4, 2)]);
    // The second reads the new text; its write waits for the rows the first holds.
    const next = startHost(fixture.dir, 'next', command());
    try {
      await untilWritesWait(client(), next);
    } finally {
      late.child.kill('SIGCONT');
    }
    const [lateResult, nextResult] = await Promise.all([late.done, next.done]);
    expect(lateResult.code, lateResult.stderr).toBe(0);
    expect(nextResult.code, nextResult.stderr).toBe(0);
    expect(await rowsOutOfStep('raced')).toBe(0);
    // Meaningful once the chunker cuts long texts: the older text had more chunks than the newer one.
    const counts = [expected.chunksOf(document(1, 30), window).length, expected.chunksOf(document(4, 2), window).length];
    console.log(`raced row: ${counts[0]} chunks of the older text, ${counts[1]} of the newer`);
  });
});
