/**
 * --metrics-only measures every row with the tokenizer alone, in the worker threads, into
 * <table>_metrics: no model is loaded or run and no embeddings table appears.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable, textFor } from '../helpers/fixtures.js';

const rows = 400;

describe('--metrics-only', () => {
  const tinyModelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-metrics-only-', async (db) => {
    cpSync(tinyModelDir, modelDir, { recursive: true });
    writeFileSync(path.join(modelDir, 'onnx', 'model.onnx'), 'not an ONNX model');
    await createTextTable(db.client, 'sentences', rows);
  });
  // The tiny model with its weights replaced by junk: any attempt to load the model fails the run.
  const modelDir = path.join(fixture.dir, 'no-weights');
  const run = (args: string[], env?: NodeJS.ProcessEnv) => fixture.run(['sentences', '20', ...args], env);
  const metricsOf = async (table: string) =>
    (await fixture.db.client.query(`SELECT id::int, token_count, truncated, char_count, word_count, frequency FROM ${table} ORDER BY id`))
      .rows;

  it('writes <table>_metrics with EMBED_WORKERS threads and never loads the model', async () => {
    const result = await run(['--metrics-only', '--model', modelDir, '--json'], { EMBED_WORKERS: '2' });
    expect(result.code, result.stderr).toBe(0);
    const measured = Array.from({ length: rows }, (_, i) => textFor(i + 1)).filter((t) => t !== null && t.trim() !== '').length;
    expect(JSON.parse(result.stdout)).toMatchObject({
      metricsMode: 'only',
      workers: 2,
      target: '"public"."sentences_metrics"',
      rowsEmbedded: measured,
      rowsInferred: 0,
      rowsFromDuplicates: 0,
      metrics: { table: '"public"."sentences_metrics"', rows: measured },
    });
    expect((await fixture.db.client.query(`SELECT to_regclass('sentences_embeddings') AS t`)).rows[0].t).toBeNull();
    expect((await fixture.db.client.query('SELECT count(*)::int AS n FROM sentences_metrics WHERE frequency IS NOT NULL')).rows[0].n).toBe(
      measured,
    );
  });

  it('fails with the same model folder when the model has to run', async () => {
    const result = await run(['--model', modelDir, '--workers', '1', '--target', 'never']);
    expect(result.code).not.toBe(0);
    // The model is loaded once before the target is touched, so the failed run creates nothing.
    expect((await fixture.db.client.query(`SELECT to_regclass('never') AS t`)).rows[0].t).toBeNull();
  });

  it('measures what --metrics measures beside the embeddings, and says it ran no model', async () => {
    const beside = await run(['--metrics', '--model', tinyModelDir, '--workers', '2', '--json']);
    expect(beside.code, beside.stderr).toBe(0);
    expect(await metricsOf('sentences_metrics')).toEqual(await metricsOf('sentences_embeddings'));
    const again = await run(['--metrics-only', '--model', modelDir, '--workers', '1', '--target', 'm_again']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^done: \d+ rows measured \(metrics only, no model run\), /);
    expect(again.stdout).not.toContain('inferred');
  });
});
