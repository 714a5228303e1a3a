/**
 * The tokenizer is part of a model's identity: the same ONNX weights with other tokenizer files (here
 * two word pieces' ids swapped, as a regenerated tokenizer would) are refused against a target embedded
 * with the old ones, in one line naming the ways out. A target and state file from before the tokenizer
 * was recorded are not refused: the next run records it, keeps the progress and embeds nothing again.
 * A --distributed host claims the target the same way and is refused the same way.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 800;
const prefix = 'embeddings written by embed; keep this comment, it stops two models mixing here: ';

describe('a model whose tokenizer changed', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-tokenizer-change-', async (db) => {
    await createTextTable(db.client, 'sentences', rows);
    // Same folder name and weights, so the model label (name@onnx hash) is the same: only the tokenizer differs.
    cpSync(modelDir, otherTokenizer, { recursive: true });
    const file = path.join(otherTokenizer, 'tokenizer.json');
    const tokenizer = JSON.parse(readFileSync(file, 'utf8'));
    const vocab = tokenizer.model.vocab as Record<string, number>;
    [vocab.a, vocab.e] = [vocab.e!, vocab.a!];
    writeFileSync(file, JSON.stringify(tokenizer));
  });
  const otherTokenizer = path.join(fixture.dir, 'regenerated', path.basename(modelDir));
  const state = path.join(fixture.dir, 'state.sqlite');
  const embed = (model: string, ...extra: string[]) =>
    runCli([
      'sentences',
      '100',
      '--workers',
      '1',
      '--model',
      model,
      '--database-url',
      fixture.db.url,
      '--state',
      state,
      '--json',
      ...extra,
    ]);
  const marker = async () => {
    const comment = (await fixture.db.client.query(`SELECT obj_description('sentences_embeddings'::regclass, 'pg_class') AS c`)).rows[0]
      .c as string;
    return JSON.parse(comment.slice(prefix.length)) as { model: string; tokenizer?: string; generation: string };
  };
  const embeddedAt = async () =>
    (await fixture.db.client.query(`SELECT max(embedded_at) AS t FROM sentences_embeddings`)).rows[0].t as Date;

  it('is refused against a target embedded with the old tokenizer; --restart re-embeds with the new one', async () => {
    const first = await embed(modelDir);
    expect(first.code, first.stderr).toBe(0);
    const original = await marker();
    expect(original.tokenizer).toMatch(/^[0-9a-f]{12}$/);
    const before = await embeddedAt();

    const refused = await embed(otherTokenizer);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      new RegExp(
        `^embed: target "public"."sentences_embeddings" holds embeddings of model ${original.model} made with tokenizer ${original.tokenizer}, ` +
          `but this model's tokenizer files \\(tokenizer.json, tokenizer_config.json\\) are now [0-9a-f]{12}; ` +
          `pass --target NEW_TABLE to embed into a new table, or --restart to delete them and re-embed with ${original.model}\\n$`,
      ),
    );
    expect(await marker()).toEqual(original);
    expect(await embeddedAt()).toEqual(before);

    const restarted = await embed(otherTokenizer, '--restart');
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: embeddableRows(rows) });
    const regenerated = await marker();
    expect(regenerated.tokenizer).toMatch(/^[0-9a-f]{12}$/);
    expect(regenerated.tokenizer).not.toBe(original.tokenizer);
    expect(regenerated.model).toBe(original.model);

    const back = await embed(modelDir);
    expect(back.code).toBe(1);
    expect(back.stderr).toContain(`made with tokenizer ${regenerated.tokenizer}, but this model's tokenizer files`);
  });

  it('records the tokenizer on a target and state file from before it was recorded, refusing nothing and embedding nothing again', async () => {
    const current = await marker();
    // As an older release left them: no tokenizer in the target's comment, nor in the job's identity.
    const { tokenizer: _, ...older } = current;
    await fixture.db.client.query(`COMMENT ON TABLE sentences_embeddings IS '${prefix}${JSON.stringify(older)}'`);
    const file = new Database(state);
    const jobs = (file.prepare('SELECT id, identity FROM jobs').all() as { id: number; identity: string }[]).map((job) => ({
      id: job.id,
      identity: JSON.parse(job.identity),
    }));
    const job = jobs.find((j) => j.identity.tokenizerHash.startsWith(current.tokenizer))!;
    const { tokenizerHash: __, ...identity } = job.identity;
    file.prepare('UPDATE jobs SET key = ?, identity = ? WHERE id = ?').run(JSON.stringify(identity), JSON.stringify(identity), job.id);
    file.close();

    const again = await embed(otherTokenizer);
    expect(again.code, again.stderr).toBe(0);
    // No "no progress for this job" warning: the older job was found and kept its progress.
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: 0 });
    expect(await marker()).toMatchObject({ model: older.model, generation: older.generation, tokenizer: current.tokenizer });
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows));

    // Recorded now: the old tokenizer is refused again.
    const refused = await embed(modelDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`made with tokenizer ${current.tokenizer}, but this model's tokenizer files`);
  });

  it('is refused for a --distributed host too, before it writes', async () => {
    const held = await marker();
    const before = await embeddedAt();
    const host = await embed(modelDir, '--distributed');
    expect(host.code).toBe(1);
    expect(host.stderr).toContain(`made with tokenizer ${held.tokenizer}, but this model's tokenizer files`);
    expect(await embeddedAt()).toEqual(before);
  });
});
