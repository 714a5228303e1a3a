/**
 * Long context: a model with 2,048 positions (MiniLM's layers) and a 2,000-token row among short ones.
 * The row is longer than --max-batch-tokens, so it runs in a micro-batch of its own, whole (no
 * truncation below the model's limit); its stored vector is transformers.js's pipeline's for that text.
 */
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureModel } from '../../dist/scripts/make-model.js';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { storedEmbeddings } from '../helpers/embeddings.js';
import { createTableOfTexts, textFor } from '../helpers/fixtures.js';
import { referenceVectors, worstCosine } from '../helpers/reference-vectors.js';

const LONG_TOKENS = 2_000;
const SHORT_ROWS = 30;

// Whole words of the model's vocabulary, one piece each: with [CLS] and [SEP], 2,000 tokens.
const WORDS = ['water', 'house', 'school', 'city', 'light', 'world', 'data', 'table', 'search', 'model'];
const longText = Array.from({ length: LONG_TOKENS - 2 }, (_, i) => WORDS[(i * 7) % WORDS.length]).join(' ');
const texts = [...Array.from({ length: SHORT_ROWS }, (_, i) => textFor(i + 1) ?? 'short'), longText];

describe('a 2,048-position model and a 2,000-token row', () => {
  let modelDir = '';
  const fixture = useTestDatabase('embed-long-context-', (db) => createTableOfTexts(db.client, 'documents', texts));

  beforeAll(async () => {
    modelDir = await ensureModel('long-2048-random');
    env.allowRemoteModels = false;
    env.localModelPath = path.dirname(modelDir) + path.sep;
    const tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir));
    expect(tokenizer.encode(longText).length).toBe(LONG_TOKENS);
  }, 120_000);

  it('embeds the long row whole, in a micro-batch of its own, as transformers.js does', async () => {
    const result = await runCli([
      'documents',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--max-batch-tokens',
      '1024',
      '--json',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'state.sqlite'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ outcome: 'completed', rowsEmbedded: texts.length });
    expect(summary.rowsTruncated).toBe(0);
    const stored = await storedEmbeddings(fixture.db.client, 'documents_embeddings');
    const ids = [String(texts.length), '1', '2'];
    const theirs = await referenceVectors(
      modelDir,
      ids.map((id) => texts[Number(id) - 1]!),
      'mean',
    );
    expect(
      worstCosine(
        ids.map((id) => stored.get(id)!),
        theirs,
      ),
    ).toBeGreaterThanOrEqual(0.99999);
  }, 300_000);
});
