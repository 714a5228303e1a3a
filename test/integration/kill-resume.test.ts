/**
 * The kill -9 experiment: `embed sentences 100 --workers 2` over 20,000 rows, killed with SIGKILL at
 * random moments (during start-up, right after a worker's commit lands in the target, and around the
 * end of the run), resumed each time with the same command, must leave exactly the target a clean
 * uninterrupted run leaves: the same ids and the same vectors. After each kill the rows committed in the
 * target but not yet recorded in the state file (the ones a resume redoes) must fit in the batches that
 * can be in flight.
 *
 * The moments come from a seeded generator; the seed is printed, and EMBED_KILL_SEED=<seed> replays it.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import { maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { committedNotRecorded, countRows, embeddableRows, recordedProgress, sleep } from '../helpers/progress.js';

const rows = 20_000;
const workers = 2;
// The CLI's defaults: 100 rows per batch, 8 batches per worker task, 2 tasks in flight per worker.
const rowsInFlight = 100 * 8 * workers * 2;

/** mulberry32: small, seedable, good enough to pick moments. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface KillPoint {
  run: number;
  moment: string;
  killed: boolean;
  targetRows: number;
  recordedRows: number;
  committedNotRecorded: number;
}

describe('kill -9 at random moments, then the same command', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-kill-');
  const { dir } = fixture;
  const seed = Number(process.env.EMBED_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seeded(seed);
  const embeddable = embeddableRows(rows);

  it('ends with the same ids and vectors as a clean run', async () => {
    console.log(
      `kill -9 experiment, seed ${seed}; replay with EMBED_KILL_SEED=${seed} npx vitest run test/integration/kill-resume.test.ts`,
    );
    const base = ['sentences', '100', '--workers', String(workers), '--model', modelDir, '--database-url', fixture.db.url];
    const clean = await runCli([...base, '--target', 'clean_embeddings', '--state', path.join(dir, 'clean.sqlite'), '--json']);
    expect(clean.code, clean.stderr).toBe(0);

    const state = path.join(dir, 'killed.sqlite');
    const command = [...base, '--state', state, '--quiet'];
    const targetRows = () => countRows(fixture.db.client, 'sentences_embeddings');

    // Start-up; five moments within a few milliseconds of a commit landing in the target (the window
    // between a worker's COMMIT and the state write that records it); and the moment the last batch
    // lands (the final watermark write).
    const moments: { name: string; trigger: () => { afterRows?: number; delayMs: number } }[] = [
      { name: 'start-up', trigger: () => ({ delayMs: 20 + Math.floor(random() * 400) }) },
      ...[0.15, 0.35, 0.55, 0.7, 0.85].map((share) => ({
        name: `after ~${Math.round(share * 100)}% committed`,
        trigger: () => ({ afterRows: Math.floor(embeddable * (share + random() * 0.08)), delayMs: Math.floor(random() * 5) }),
      })),
      { name: 'as the last batch commits', trigger: () => ({ afterRows: embeddable, delayMs: Math.floor(random() * 25) }) },
    ];

    const points: KillPoint[] = [];
    for (const [i, moment] of moments.entries()) {
      const { afterRows, delayMs } = moment.trigger();
      const { child, done } = startCli(command);
      let exited: CliResult | undefined;
      void done.then((result) => (exited = result));
      if (afterRows !== undefined) {
        while (exited === undefined && (await targetRows()) < afterRows) await sleep(1);
      }
      await sleep(delayMs);
      const killed = exited === undefined && child.kill('SIGKILL');
      const result = await done;
      if (!killed) expect(result.code, `run ${i + 1} ended on its own: ${result.stderr}`).toBe(0);
      else expect(result.signal).toBe('SIGKILL');

      const recorded = await recordedProgress('sentences', fixture.db.url, state);
      points.push({
        run: i + 1,
        moment: `${moment.name}${afterRows !== undefined ? ` (>= ${afterRows} rows)` : ''} + ${delayMs} ms`,
        killed,
        targetRows: await targetRows(),
        recordedRows: recorded?.rowsDone ?? 0,
        committedNotRecorded: await committedNotRecorded(fixture.db.client, 'sentences_embeddings', recorded),
      });
      expect(points.at(-1)!.committedNotRecorded).toBeLessThanOrEqual(rowsInFlight);
    }
    const resumed = await runCli([...base, '--state', state, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).outcome).toBe('completed');

    const want = await storedEmbeddings(fixture.db.client, 'clean_embeddings');
    const got = await storedEmbeddings(fixture.db.client, 'sentences_embeddings');
    let identical = 0;
    let worst = 0;
    const missing = [...want.keys()].filter((id) => !got.has(id));
    const extra = [...got.keys()].filter((id) => !want.has(id));
    for (const [id, vector] of want) {
      const other = got.get(id);
      if (!other) continue;
      const difference = maxAbsDifference(vector, other);
      worst = Math.max(worst, difference);
      if (difference === 0) identical++;
    }
    const columns = await fixture.db.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM clean_embeddings c JOIN sentences_embeddings k USING (id)
        WHERE (c.model, c.content_hash) IS DISTINCT FROM (k.model, k.content_hash)`,
    );
    console.table(points);
    console.log(
      `compared ${want.size} rows: ${missing.length} missing, ${extra.length} extra, ${identical} vectors bit-identical, ` +
        `largest difference ${worst}, ${columns.rows[0]!.n} model/content_hash mismatches`,
    );
    expect(points.filter((p) => p.killed).length).toBeGreaterThanOrEqual(5);
    expect(want.size).toBe(embeddable);
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(Number(columns.rows[0]!.n)).toBe(0);
  });
});
