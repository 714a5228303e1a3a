/**
 * Ctrl-C (SIGINT) mid-run: the batches in flight commit and are recorded, the run says how to resume and
 * exits 130, and the same command then embeds exactly the rows that were left, nothing twice.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { runCli, startCli } from '../helpers/cli.js';
import { committedNotRecorded, countRows, embeddableRows, recordedProgress, whileRunning } from '../helpers/progress.js';

const rows = 20_000;

describe('SIGINT, then the same command', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-sigint-');
  const { dir } = fixture;

  it('stops cleanly with exit 130 and a resume message, and the resume embeds only what was left', async () => {
    const state = path.join(dir, 'state.sqlite');
    const command = [
      'sentences',
      '100',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
      '--json',
    ];
    const run = startCli(command);
    await whileRunning(run, async () => (await countRows(fixture.db.client, 'sentences_embeddings')) >= 2_000);
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toBe('interrupted: progress is saved; run the same command again to resume\n');
    expect(JSON.parse(interrupted.stdout)).toMatchObject({ outcome: 'interrupted' });

    const atStop = await countRows(fixture.db.client, 'sentences_embeddings');
    expect(atStop).toBeLessThan(embeddableRows(rows));
    // Everything that committed was recorded: a resume redoes nothing.
    expect(
      await committedNotRecorded(fixture.db.client, 'sentences_embeddings', await recordedProgress('sentences', fixture.db.url, state)),
    ).toBe(0);

    const resumed = await runCli(command);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: embeddableRows(rows) - atStop });
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows));
  });
});
