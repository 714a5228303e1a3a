/** `embed drop-queue`: what it says it drops, that it drops only the queue schema, and that a later run starts over. */
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { countRows, embeddableRows } from '../helpers/progress.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

describe('embed drop-queue', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(500, 'embed-drop-queue-');

  it('says what it drops, drops only the queue schema, and a later run starts a new queue', async () => {
    const command = [
      'sentences',
      '100',
      '--workers',
      '1',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--distributed',
      '--quiet',
    ];
    const run = await runCli(command, {}, fixture.dir);
    expect(run.code, run.stderr).toBe(0);
    const dropped = await runCli(['drop-queue', '--database-url', fixture.db.url]);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toMatch(
      /^dropped schema embed_queue: the range queue \(pg-boss tables\) and embed's records of 1 distributed job\(s\)$/m,
    );
    expect(dropped.stdout).toMatch(
      /"public"\."sentences" -> "public"\."sentences_embeddings" \(tiny-random@[0-9a-f]{12}\): 1 pass\(es\), ranges \d+ completed, 0 failed row\(s\)/,
    );
    const schema = await fixture.db.client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'embed_queue'`);
    expect(schema.rowCount).toBe(0);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(500));
    const again = await runCli(['drop-queue', '--database-url', fixture.db.url]);
    expect(again.stdout).toBe('no queue schema in this database; nothing to drop\n');
    // A new queue plans every row again; the ones embedded already are skipped on the server.
    const rerun = await runCli([...command.filter((a) => a !== '--quiet'), '--json'], {}, fixture.dir);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout).rowsEmbedded).toBe(0);
  });
});
