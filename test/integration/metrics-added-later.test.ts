/**
 * Rows embedded before --metrics was used have no metrics; the summary says so, and --metrics --refresh
 * measures them, reusing their stored vectors instead of running the model again.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { storedEmbeddings } from '../helpers/embeddings.js';
import { createTextTable } from '../helpers/fixtures.js';

describe('metrics for rows embedded without them', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-state-', async (db) => {
    await createTextTable(db.client, 'sentences', 300);
  });
  const run = (...flags: string[]) =>
    runCli([
      'sentences',
      '50',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'state.sqlite'),
      ...flags,
    ]);

  it('are reported missing, then measured by --refresh without inference', async () => {
    const plain = await run('--json');
    expect(plain.code, plain.stderr).toBe(0);
    const embedded = JSON.parse(plain.stdout).rowsEmbedded as number;
    const before = await storedEmbeddings(fixture.db.client, 'sentences_embeddings');

    const noted = await run('--metrics');
    expect(noted.code, noted.stderr).toBe(0);
    expect(noted.stdout).toContain(
      `\n  ${embedded} rows were embedded without metrics: run again with --metrics --refresh to measure them\n`,
    );

    const refreshed = await run('--metrics', '--refresh', '--json');
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({
      rowsEmbedded: embedded,
      rowsInferred: 0,
      metrics: { rows: embedded, unmeasured: 0 },
    });
    expect(await storedEmbeddings(fixture.db.client, 'sentences_embeddings')).toEqual(before);
  });
});
