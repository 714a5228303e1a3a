/**
 * One target never mixes two models. A run with another model than the one the target holds (here the
 * same weights under another name: the label is name@hash) is refused in one line that names both ways
 * out; --target NEW embeds into a new table; --restart empties the target and re-embeds it with the
 * new model, after which the old model is the one refused.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { countRows, embeddableRows } from '../helpers/progress.js';

const rows = 1_500;

describe('a different model than the target holds', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-model-change-', async (db) => {
    await createTextTable(db.client, 'sentences', rows);
    cpSync(modelDir, otherModel, { recursive: true });
  });
  const otherModel = path.join(fixture.dir, 'other-model');

  const models = async (table: string) =>
    (await fixture.db.client.query<{ model: string }>(`SELECT DISTINCT model FROM ${table} ORDER BY 1`)).rows.map((r) => r.model);

  it('is refused, and --target or --restart are the ways out', async () => {
    const base = [
      'sentences',
      '100',
      '--workers',
      '2',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 's.sqlite'),
      '--json',
    ];
    const first = await runCli([...base, '--model', modelDir]);
    expect(first.code, first.stderr).toBe(0);
    const [original] = await models('sentences_embeddings');
    expect(original).toMatch(/@[0-9a-f]{12}$/);
    const other = `other-model@${original!.slice(-12)}`;

    const refused = await runCli([...base, '--model', otherModel]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `embed: target "public"."sentences_embeddings" holds embeddings of model ${original}, not ${other}; ` +
        `pass --target NEW_TABLE to embed into a new table, or --restart to delete them and re-embed with ${other}\n`,
    );
    expect(await models('sentences_embeddings')).toEqual([original]);

    const elsewhere = await runCli([...base, '--model', otherModel, '--target', 'other_embeddings']);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(await models('other_embeddings')).toEqual([other]);

    const restarted = await runCli([...base, '--model', otherModel, '--restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: embeddableRows(rows) });
    expect(await models('sentences_embeddings')).toEqual([other]);
    expect(await countRows(fixture.db.client, 'sentences_embeddings')).toBe(embeddableRows(rows));

    const back = await runCli([...base, '--model', modelDir]);
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(
      new RegExp(
        `^embed: target "public"."sentences_embeddings" holds embeddings of model ${other.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, not `,
      ),
    );
  });

  it('is also refused on a target made before targets carried their model in a comment', async () => {
    await fixture.db.client.query(`COMMENT ON TABLE other_embeddings IS NULL`);
    const refused = await runCli([
      'sentences',
      '--workers',
      '1',
      '--model',
      modelDir,
      '--target',
      'other_embeddings',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 's2.sqlite'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^embed: target "public"."other_embeddings" holds embeddings of model .*other-model@[0-9a-f]{12}, not /);
  });
});
