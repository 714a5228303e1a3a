/**
 * The main job end to end: the real CLI with 1, 2 and 4 worker threads over 10,000 rows stores exactly
 * one embedding per non-empty row, equal to the encoder's direct output, and counts NULL/empty rows.
 * The 4-worker run uses batches of 50 with no sort window (200 tasks); on a machine with fewer cores than
 * workers its tasks go to as few workers as may compute at once. (Four sessions in four threads running
 * at once: onnx-sessions-in-threads.test.ts.)
 */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { directEmbeddings, maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { createTextTable, textFor } from '../helpers/fixtures.js';

const rows = 10_000;

describe('embed <table> with worker threads', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-state-', async (db) => {
    await createTextTable(db.client, 'sentences', rows);
    const texts = Array.from({ length: rows }, (_, i) => ({ id: String(i + 1), text: textFor(i + 1) })).filter(
      (row) => row.text !== null && row.text.trim() !== '',
    );
    const vectors = await directEmbeddings(
      modelDir,
      texts.map((row) => row.text!),
    );
    expected = new Map(texts.map((row, i) => [row.id, vectors[i]!]));
  });
  let expected: Map<string, Float32Array>;

  it.each([
    { workers: 1, batch: 100, window: 800 },
    { workers: 2, batch: 100, window: 800 },
    { workers: 4, batch: 50, window: 1 },
  ])('$workers worker(s), batch $batch: one embedding per non-empty row, equal to the encoder', async ({ workers, batch, window }) => {
    const target = `embeddings_w${workers}`;
    const result = await runCli([
      'sentences',
      String(batch),
      '--workers',
      String(workers),
      '--sort-window',
      String(window),
      '--model',
      modelDir,
      '--target',
      target,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, `w${workers}.sqlite`),
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ outcome: 'completed', workers, rowsEmbedded: expected.size, rowsSkipped: rows - expected.size });
    const cores = os.availableParallelism();
    expect(summary.computeSlots).toBe(Math.min(workers, Math.max(1, Math.floor(cores / summary.threads))));
    // Each computing worker holds two tasks; more workers than that are never handed one.
    expect(summary.workersUsed).toBeGreaterThanOrEqual(1);
    expect(summary.workersUsed).toBeLessThanOrEqual(summary.computeSlots);

    const stored = await storedEmbeddings(fixture.db.client, target);
    expect(stored.size).toBe(expected.size);
    let worst = 0;
    for (const [id, vector] of expected) {
      const actual = stored.get(id);
      expect(actual, `row ${id}`).toBeDefined();
      worst = Math.max(worst, maxAbsDifference(actual!, vector));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
    const duplicates = await fixture.db.client.query(`SELECT id FROM ${target} GROUP BY id HAVING count(*) > 1`);
    expect(duplicates.rowCount).toBe(0);
  });
});
