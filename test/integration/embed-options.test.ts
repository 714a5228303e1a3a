/** The command line as a user meets it: env vs flags, table names, and one-line errors with exit codes. */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';

describe('embed command line', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-state-', async (db) => {
    await createTextTable(db.client, 'sentences', 200);
    await db.client.query('CREATE SCHEMA "My Schema"');
    await createTextTable(db.client, '"My Schema"."My Texts"', 120);
    await db.client.query('CREATE TABLE y (id int PRIMARY KEY)');
    let n = 0;
    run = (args, env) =>
      runCli([...args, '--model', modelDir, '--database-url', db.url, '--state', path.join(fixture.dir, `${n++}.sqlite`)], env);
  });
  let run: (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof runCli>;

  it('EMBED_WORKERS sets the worker count and --workers beats it', async () => {
    const fromEnv = await run(['sentences', '--target', 'e_env', '--json'], { EMBED_WORKERS: '3' });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ workers: 3, threads: 1 });
    const fromFlag = await run(['sentences', '--target', 'e_flag', '--workers', '2', '--json'], { EMBED_WORKERS: '3' });
    expect(fromFlag.code).toBe(0);
    expect(JSON.parse(fromFlag.stdout)).toMatchObject({ workers: 2 });
  });

  it('the summary says which tokenizer the model has', async () => {
    const result = await run(['sentences', '--target', 'e_tokenizer', '--workers', '1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\n {2}tokenizer generated uncased WordPiece, \d+ pieces \(a fixed word list\)\n/);
  });

  it('accepts schema-qualified and quoted table names', async () => {
    const qualified = await run(['public.sentences', '--target', 'e_qualified', '--workers', '1', '--json']);
    expect(qualified.code).toBe(0);
    expect(JSON.parse(qualified.stdout).rowsEmbedded).toBeGreaterThan(0);
    const quoted = await run(['"My Schema"."My Texts"', '--workers', '1', '--json']);
    expect(quoted.code).toBe(0);
    expect(JSON.parse(quoted.stdout).target).toBe('"My Schema"."My Texts_embeddings"');
    const count = await fixture.db.client.query('SELECT count(*)::int AS n FROM "My Schema"."My Texts_embeddings"');
    expect(count.rows[0].n).toBe(JSON.parse(quoted.stdout).rowsEmbedded);
  });

  it('refuses a table name carrying SQL and never executes it', async () => {
    const result = await run(['x; drop table y']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^embed: table name "x; drop table y" is not a valid identifier/);
    const quoted = await run(['"x; drop table y"']);
    expect(quoted.code).toBe(1);
    expect(quoted.stderr).toMatch(/^embed: table "x; drop table y" does not exist/);
    expect((await fixture.db.client.query(`SELECT to_regclass('y') AS t`)).rows[0].t).toBe('y');
  });

  it('reports a missing table or column in one line, exit 1', async () => {
    const table = await run(['nope']);
    expect(table.code).toBe(1);
    expect(table.stderr.trim().split('\n')).toEqual(['embed: table "nope" does not exist; check the name and schema']);
    const column = await run(['sentences', '--text-column', 'body']);
    expect(column.code).toBe(1);
    expect(column.stderr.trim().split('\n')).toHaveLength(1);
    expect(column.stderr).toContain('has no column "body"; name the right one with --text-column');
  });

  it('reports a missing model folder in one line naming the files expected', async () => {
    const result = await runCli(['sentences', '--model', 'no-such-model', '--database-url', fixture.db.url], { EMBED_OFFLINE: '1' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^embed: model no-such-model: .*no-such-model lacks config.json, tokenizer.json, tokenizer_config.json, onnx\/model.onnx/,
    );
  });

  it('refuses --device cuda clearly where this onnxruntime-node has no CUDA', async () => {
    const result = await run(['sentences', '--device', 'cuda', '--workers', '1', '--target', 'e_cuda']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^embed: .*CUDA.*run with --device cpu/);
  });

  it('rejects invalid values with exit 2', async () => {
    for (const args of [
      ['sentences', '0'],
      ['sentences', '-5'],
      ['sentences', '--workers', 'many'],
      ['sentences', '--dtype', 'q3'],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(/^embed: /);
    }
  });
});
