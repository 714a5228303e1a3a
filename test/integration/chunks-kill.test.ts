/**
 * kill -9 of a chunked run (`--chunk`) over long documents at random moments (start-up, and just after
 * commits land at several points of the run), then the same command: after every kill no row holds a
 * partial set of chunks (a row's chunks commit together), and the end is the chunk table a clean run
 * writes, chunk by chunk: the same (id, seq), texts, offsets, token counts, hashes and vectors.
 *
 * The moments come from a seeded generator; the seed is printed, and EMBED_KILL_SEED=<seed> replays it.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import { storedChunks } from '../helpers/chunks.js';
import { useTestDatabase } from '../helpers/database.js';
import { maxAbsDifference } from '../helpers/embeddings.js';
import { createTableOfTexts } from '../helpers/fixtures.js';
import { sleep } from '../helpers/progress.js';

const rows = 1200;
const words = ['river', 'stone', 'quick', 'light', 'garden', 'window', 'music', 'paper', 'winter', 'orange', 'silent', 'market'];
/** Documents of 3 to 40 sentences, every 97th NULL. */
const documents = Array.from({ length: rows }, (_, i) =>
  i % 97 === 96
    ? null
    : Array.from(
        { length: 3 + ((i * 13) % 38) },
        (_, s) =>
          `${Array.from({ length: 4 + ((i + s * 5) % 9) }, (_, k) => words[(i * 7 + s * 3 + k * 5) % words.length]).join(' ')} ${i}.${s}.`,
      ).join(' '),
);
const embeddable = documents.filter((d) => d !== null).length;

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

describe('kill -9 of a chunked run, then the same command', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-chunks-kill-', (db) => createTableOfTexts(db.client, 'docs', documents));
  const client = () => fixture.db.client;
  const seed = Number(process.env.EMBED_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seeded(seed);

  /** Rows with all their chunks in the table (a row's first chunk stands for it). */
  const rowsWritten = async () =>
    Number(
      (
        await client()
          .query<{ n: string }>(`SELECT count(*) AS n FROM docs_chunks WHERE seq = 0`)
          .catch(() => ({ rows: [{ n: '0' }] }))
      ).rows[0]!.n,
    );
  /** Rows whose chunks are not one whole set: a count other than row_chunks, gaps in seq, or two hashes. */
  const partialRows = async (table: string) =>
    Number(
      (
        await client().query<{ n: string }>(
          `SELECT count(*) AS n FROM (SELECT id FROM ${table} GROUP BY id
             HAVING count(*) <> min(row_chunks) OR max(seq) <> count(*) - 1 OR count(DISTINCT content_hash) <> 1) AS p`,
        )
      ).rows[0]!.n,
    );

  it('leaves whole rows after every kill and, resumed, the chunks of a clean run', async () => {
    console.log(
      `chunked kill -9 experiment, seed ${seed}; replay with EMBED_KILL_SEED=${seed} npx vitest run test/integration/chunks-kill.test.ts`,
    );
    const base = ['docs', '100', '--workers', '2', '--model', modelDir, '--chunk', '48:8', '--metrics', '--database-url', fixture.db.url];
    const clean = await runCli([...base, '--target', 'clean_chunks', '--state', path.join(fixture.dir, 'clean.sqlite'), '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout).rowsEmbedded).toBe(embeddable);

    const command = [...base, '--state', path.join(fixture.dir, 'killed.sqlite'), '--quiet'];
    const moments = [
      { name: 'start-up', afterRows: undefined, delayMs: 20 + Math.floor(random() * 400) },
      ...[0.2, 0.45, 0.7, 0.9].map((share) => ({
        name: `after ~${Math.round(share * 100)}% of rows`,
        afterRows: Math.floor(embeddable * (share + random() * 0.08)),
        delayMs: Math.floor(random() * 5),
      })),
    ];
    let killed = 0;
    for (const moment of moments) {
      const { child, done } = startCli(command);
      let exited: CliResult | undefined;
      void done.then((result) => (exited = result));
      if (moment.afterRows !== undefined) {
        while (exited === undefined && (await rowsWritten()) < moment.afterRows) await sleep(2);
      }
      await sleep(moment.delayMs);
      const wasKilled = exited === undefined && child.kill('SIGKILL');
      const result = await done;
      if (wasKilled) {
        killed++;
        expect(result.signal).toBe('SIGKILL');
      } else {
        expect(result.code, `${moment.name}: the run ended on its own: ${result.stderr}`).toBe(0);
      }
      expect(await partialRows('docs_chunks').catch(() => 0), `after the kill ${moment.name}`).toBe(0);
    }
    const resumed = await runCli([...command.filter((a) => a !== '--quiet'), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).outcome).toBe('completed');
    expect(killed).toBeGreaterThanOrEqual(3);

    const mismatched = await client().query<{ n: string }>(
      `SELECT count(*) AS n FROM clean_chunks c FULL JOIN docs_chunks k USING (id, seq)
        WHERE (c.chunk, c.char_start, c.char_end, c.token_count, c.model, c.content_hash, c.row_chunks, c.row_tokens)
              IS DISTINCT FROM (k.chunk, k.char_start, k.char_end, k.token_count, k.model, k.content_hash, k.row_chunks, k.row_tokens)`,
    );
    expect(Number(mismatched.rows[0]!.n)).toBe(0);
    const want = await storedChunks(client(), 'clean_chunks');
    const got = await storedChunks(client(), 'docs_chunks');
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    expect(want.size).toBe(embeddable);
    let worst = 0;
    for (const [id, chunks] of want) {
      chunks.forEach((chunk, seq) => {
        worst = Math.max(worst, maxAbsDifference(chunk.embedding, got.get(id)![seq]!.embedding));
      });
    }
    console.log(
      `compared ${[...want.values()].flat().length} chunks of ${want.size} rows; ${killed} kills; largest vector difference ${worst}`,
    );
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(await partialRows('docs_chunks')).toBe(0);
  });
});
