/**
 * Frequency counts the whole table on the server, so it comes out the same whatever the number of
 * workers and however duplicates fall across their batches.
 */
import { describe, expect, inject, it } from 'vitest';
import { createTableOfTexts } from '../helpers/fixtures.js';
import { repeatedPhrases } from '../helpers/repeated-phrases.js';
import { useTestDatabase } from '../helpers/database.js';
import { frequencies } from '../helpers/normalised-text.js';

const texts = repeatedPhrases(600);

describe('frequency with any number of workers', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-state-', async (db) => {
    await createTableOfTexts(db.client, 'texts', texts);
  });
  const run = (args: string[], env?: NodeJS.ProcessEnv) =>
    fixture.run(['texts', '10', '--sort-window', '1', '--model', modelDir, '--json', ...args], env);
  const frequencyOf = async (table: string) =>
    (await fixture.db.client.query<{ frequency: number }>(`SELECT frequency FROM ${table} ORDER BY id`)).rows.map((row) => row.frequency);

  it('is the same with one worker and with three, metrics alone or beside embeddings', async () => {
    const one = await run(['--metrics-only', '--workers', '1', '--target', 'm1']);
    expect(one.code, one.stderr).toBe(0);
    const three = await run(['--metrics-only', '--target', 'm3'], { EMBED_WORKERS: '3' });
    expect(three.code, three.stderr).toBe(0);
    expect(JSON.parse(three.stdout).workers).toBe(3);
    const beside = await run(['--metrics', '--workers', '3']);
    expect(beside.code, beside.stderr).toBe(0);

    const expected = frequencies(texts);
    expect(Math.max(...expected)).toBeGreaterThan(20);
    expect(await frequencyOf('m1')).toEqual(expected);
    expect(await frequencyOf('m3')).toEqual(expected);
    expect(await frequencyOf('texts_embeddings')).toEqual(expected);
    const summaries = [one, three, beside].map((result) => JSON.parse(result.stdout).metrics);
    expect(summaries[1]).toEqual({ ...summaries[0], table: '"public"."m3"' });
    expect(summaries[2]).toEqual({ ...summaries[0], table: '"public"."texts_embeddings"' });
  });

  it('is the same with case folded', async () => {
    const one = await run(['--metrics-only', '--fold-case', '--workers', '1', '--target', 'm1']);
    const three = await run(['--metrics-only', '--fold-case', '--workers', '3', '--target', 'm3']);
    expect([one.code, three.code]).toEqual([0, 0]);
    const expected = frequencies(texts, true);
    expect(expected).not.toEqual(frequencies(texts));
    expect(await frequencyOf('m1')).toEqual(expected);
    expect(await frequencyOf('m3')).toEqual(expected);
  });
});
