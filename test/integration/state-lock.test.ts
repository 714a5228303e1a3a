/**
 * One run per job: while a run holds the job's lock (here frozen with SIGSTOP, so it cannot finish
 * first), a second run and `embed reset` are refused with a message naming the holder, and `status`
 * shows it running; the first run then finishes normally.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { runCli, startCli } from '../helpers/cli.js';
import { countRows, embeddableRows, whileRunning } from '../helpers/progress.js';

const rows = 5_000;

describe('the job lock', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-lock-');
  const { dir } = fixture;

  it('refuses a second process while the first runs', async () => {
    const state = path.join(dir, 'state.sqlite');
    const command = [
      'sentences',
      '100',
      '--workers',
      '2',
      '--sort-window',
      '1',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
    ];
    const first = startCli([...command, '--json']);
    try {
      await whileRunning(first, async () => (await countRows(fixture.db.client, 'sentences_embeddings')) > 0);
      first.child.kill('SIGSTOP');

      const second = await runCli(command);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(
          `^embed: another embed run \\(pid ${first.child.pid} on .+, since .+ UTC\\) is working on this job; wait for it to finish or stop it\\n$`,
        ),
      );
      const reset = await runCli(['reset', 'sentences', '--database-url', fixture.db.url, '--state', state]);
      expect(reset.code).toBe(1);
      expect(reset.stderr).toMatch(/^embed: another embed run \(pid \d+ .*\) is working on this job/);
      const status = await runCli(['status', 'sentences', '--database-url', fixture.db.url, '--state', state, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ runningPid: first.child.pid });
    } finally {
      first.child.kill('SIGCONT');
    }
    const result = await first.done;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: embeddableRows(rows) });
    const status = await runCli(['status', 'sentences', '--database-url', fixture.db.url, '--state', state, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ runningPid: null, rowsDone: rows, percent: 100 });
  });
});
