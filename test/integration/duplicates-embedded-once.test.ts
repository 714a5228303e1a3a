/**
 * Each distinct model input is embedded once: rows repeating it, in the same batch, a later batch or a
 * later run, get a copy of its vector instead of another inference. The tiny model's tokenizer is
 * uncased BERT, so texts differing only in case and spacing are the same input.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTableOfTexts } from '../helpers/fixtures.js';
import { repeatedPhrases } from '../helpers/repeated-phrases.js';
import { useTestDatabase } from '../helpers/database.js';
import { directEmbeddings, maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { normalisedText } from '../helpers/normalised-text.js';

const texts = repeatedPhrases(300);
const distinctInputs = new Set(texts.map((text) => normalisedText(text, true))).size;

describe('duplicate texts', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-state-', async (db) => {
    await createTableOfTexts(db.client, 'texts', texts);
  });
  // Batches of 10 rows, one per task: most repeats meet their first occurrence in another task.
  const run = (...args: string[]) => fixture.run(['texts', '10', '--sort-window', '1', '--workers', '1', '--model', modelDir, ...args]);

  it.each(['copy', 'insert'])('are inferred once per distinct input and share its vector (--write-method %s)', async (method) => {
    const target = `e_${method}`;
    const result = await run('--write-method', method, '--target', target, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(distinctInputs).toBeLessThan(texts.length / 2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      rowsEmbedded: texts.length,
      rowsInferred: distinctInputs,
      rowsFromDuplicates: texts.length - distinctInputs,
    });

    const stored = await storedEmbeddings(fixture.db.client, target);
    const byInput = new Map<string, number[]>();
    texts.forEach((text, i) => {
      const vector = stored.get(String(i + 1))!;
      const key = normalisedText(text, true);
      if (!byInput.has(key)) byInput.set(key, vector);
      expect(vector, `row ${i + 1} (${JSON.stringify(text)})`).toEqual(byInput.get(key));
    });
    const direct = await directEmbeddings(modelDir, texts);
    texts.forEach((_, i) => {
      expect(maxAbsDifference(stored.get(String(i + 1))!, direct[i]!)).toBeLessThan(1e-5);
    });
  });

  it('are inferred once with three workers at once: a worker waits for an input another is running', async () => {
    const result = await runCli([
      'texts',
      '10',
      '--sort-window',
      '1',
      '--workers',
      '3',
      '--target',
      'e_three',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'three.sqlite'),
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsEmbedded: texts.length, rowsInferred: distinctInputs });
    const stored = await storedEmbeddings(fixture.db.client, 'e_three');
    const first = new Map<string, number[]>();
    texts.forEach((text, i) => {
      const key = normalisedText(text, true);
      if (!first.has(key)) first.set(key, stored.get(String(i + 1))!);
      expect(stored.get(String(i + 1))).toEqual(first.get(key));
    });
  });

  it('are copied from the target in a later run, with no inference at all', async () => {
    const repeats = ['RIVER   stone', 'the data table', ' paper\twinter'];
    await fixture.db.client.query('INSERT INTO texts SELECT 1000 + i, t FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i)', [repeats]);
    const result = await run('--target', 'e_copy');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^done: 3 rows embedded,/);
    expect(result.stdout).toContain('\n  0 inferred, 3 copied from a duplicate (100.0%)\n');
    const stored = await storedEmbeddings(fixture.db.client, 'e_copy');
    expect(stored.get('1001')).toEqual(stored.get(String(texts.indexOf('river stone') + 1)));
    expect(stored.get('1002')).toEqual(stored.get(String(texts.indexOf('the data table') + 1)));
  });
});
