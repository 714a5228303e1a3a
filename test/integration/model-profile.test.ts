/**
 * A model embedded as its sentence-transformers files (or the flags) say: the generated minilm-l6-random
 * given the files such models ship, run through the real CLI and workers, each stored vector compared
 * with transformers.js's own feature-extraction pipeline on the same folder (its pooling and normalize
 * options, the prompt put before the text; max pooling and truncation to --dimensions computed from its
 * token output). Then what is refused in one line: another profile on the same target, a Dense module
 * the graph does not apply, more dimensions than the model has, another profile on a host of a
 * --distributed job.
 *
 * Longer than 250 lines because the pooling modes share one model folder and one reference pipeline.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureModel } from '../../dist/scripts/make-model.js';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { storedEmbeddings } from '../helpers/embeddings.js';
import { createTableOfTexts } from '../helpers/fixtures.js';
import { variedTexts } from '../helpers/varied-texts.js';

// Every text the model reads whole (the long paragraph is truncated, which the encoder test covers).
const texts = variedTexts().filter((text) => text.trim() !== '' && text.length < 500);

const transformer = { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' };
const poolingModule = { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' };
const poolingConfig = (mode: string) => ({ word_embedding_dimension: 384, [`pooling_mode_${mode}`]: true });

/** A copy of the generated model with sentence-transformers files written beside it. */
function modelWith(dir: string, name: string, files: Record<string, unknown>): string {
  const folder = path.join(dir, name);
  cpSync(generated, folder, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), JSON.stringify(content));
  }
  return folder;
}

let generated = '';

describe('the model profile', () => {
  const fixture = useTestDatabase('embed-model-profile-', (db) => createTableOfTexts(db.client, 'sentences', texts));
  const state = (name: string) => path.join(fixture.dir, `${name}.sqlite`);
  const embed = (model: string, stateName: string, ...flags: string[]) =>
    runCli([
      'sentences',
      '--workers',
      '1',
      '--model',
      model,
      '--database-url',
      fixture.db.url,
      '--state',
      state(stateName),
      '--json',
      ...flags,
    ]);
  const extractors: FeatureExtractionPipeline[] = [];
  let clsModel = '';
  let meanModel = '';

  beforeAll(async () => {
    generated = await ensureModel('minilm-l6-random');
    // CLS pooling, no Normalize module, e5's prompts (no default name: the document-side one is used).
    clsModel = modelWith(fixture.dir, 'st-cls', {
      'modules.json': [transformer, poolingModule],
      '1_Pooling/config.json': poolingConfig('cls_token'),
      'config_sentence_transformers.json': { prompts: { query: 'query: ', passage: 'passage: ' }, default_prompt_name: null },
    });
    // Mean pooling with a Normalize module, nomic's prompt names, the default one named.
    meanModel = modelWith(fixture.dir, 'st-mean', {
      'modules.json': [
        transformer,
        poolingModule,
        { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
      ],
      '1_Pooling/config.json': poolingConfig('mean_tokens'),
      'config_sentence_transformers.json': {
        prompts: { search_query: 'search_query: ', search_document: 'search_document: ', clustering: 'clustering: ' },
        default_prompt_name: 'search_document',
      },
    });
  });
  afterAll(async () => {
    for (const extractor of extractors) await extractor.dispose();
  });

  /** transformers.js's vector of each text: pooled, cut to `dimensions`, normalised when asked. */
  async function reference(
    modelDir: string,
    options: { pooling: 'mean' | 'cls' | 'last_token' | 'max'; normalize: boolean; prompt: string; dimensions?: number },
  ): Promise<Float32Array[]> {
    env.allowRemoteModels = false;
    env.localModelPath = path.dirname(modelDir) + path.sep;
    const extractor = await pipeline('feature-extraction', path.basename(modelDir), { dtype: 'fp32', device: 'cpu' });
    extractors.push(extractor);
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      let vector: Float32Array;
      if (options.pooling === 'max') {
        const tokens = await extractor(options.prompt + text, { pooling: 'none' });
        const [, length, hidden] = tokens.dims as [number, number, number];
        const data = tokens.data as Float32Array;
        vector = new Float32Array(hidden).fill(-Infinity);
        for (let t = 0; t < length; t++) for (let h = 0; h < hidden; h++) vector[h] = Math.max(vector[h]!, data[t * hidden + h]!);
      } else {
        vector = (await extractor(options.prompt + text, { pooling: options.pooling, normalize: false })).data as Float32Array;
      }
      vector = vector.slice(0, options.dimensions ?? vector.length);
      if (options.normalize) {
        const norm = Math.hypot(...vector);
        vector = vector.map((v) => v / norm);
      }
      vectors.push(vector);
    }
    return vectors;
  }

  /** The worst cosine between stored and reference vectors, and the worst relative difference of their lengths. */
  async function compare(
    target: string,
    expected: Float32Array[],
  ): Promise<{ rows: number; dimension: number; worstCosine: number; worstNorm: number }> {
    const stored = await storedEmbeddings(fixture.db.client, target);
    let worstCosine = 1;
    let worstNorm = 0;
    let dimension = 0;
    expected.forEach((theirs, i) => {
      const ours = stored.get(String(i + 1))!;
      dimension = ours.length;
      expect(ours.length).toBe(theirs.length);
      const dot = ours.reduce((sum, v, k) => sum + v * theirs[k]!, 0);
      const [a, b] = [Math.hypot(...ours), Math.hypot(...theirs)];
      worstCosine = Math.min(worstCosine, dot / (a * b));
      worstNorm = Math.max(worstNorm, Math.abs(a - b) / b);
    });
    return { rows: stored.size, dimension, worstCosine, worstNorm };
  }

  it('pools, prompts, normalises and truncates as the files and flags say, as transformers.js does', async () => {
    const cls = await embed(clsModel, 'cls');
    expect(cls.code, cls.stderr).toBe(0);
    const clsReport = JSON.parse(cls.stdout);
    expect(clsReport.profile).toMatchObject({
      pooling: 'cls',
      normalize: true,
      prompt: 'passage: ',
      queryPrompt: 'query: ',
      dimensions: 384,
      modelDimension: 384,
      maxTokens: 256,
      sources: { pooling: '1_Pooling/config.json', prompt: 'config_sentence_transformers.json (passage)' },
    });
    expect(clsReport.profile.notes).toEqual([expect.stringMatching(/has no Normalize module .*--raw-vectors keeps them/)]);
    expect(
      await compare('sentences_embeddings', await reference(clsModel, { pooling: 'cls', normalize: true, prompt: 'passage: ' })),
    ).toEqual({
      rows: texts.length,
      dimension: 384,
      worstCosine: expect.closeTo(1, 5),
      worstNorm: expect.closeTo(0, 5),
    });

    // Flags beat the files: max pooling, the model's raw vectors, no prompt.
    const max = await embed(clsModel, 'max', '--pooling', 'max', '--raw-vectors', '--prompt', '', '--target', 'max_embeddings');
    expect(max.code, max.stderr).toBe(0);
    expect(JSON.parse(max.stdout).profile).toMatchObject({
      pooling: 'max',
      normalize: false,
      prompt: '',
      sources: { pooling: '--pooling', normalize: '--raw-vectors', prompt: '--prompt' },
    });
    const maxed = await compare('max_embeddings', await reference(clsModel, { pooling: 'max', normalize: false, prompt: '' }));
    expect(maxed.worstCosine).toBeGreaterThanOrEqual(0.99999);
    expect(maxed.worstNorm).toBeLessThan(1e-4);

    // Last-token pooling, the query prompt by name, the first 48 values normalised again.
    const last = await embed(
      clsModel,
      'last',
      '--pooling',
      'last-token',
      '--prompt-name',
      'query',
      '--dimensions',
      '48',
      '--target',
      'last_embeddings',
    );
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout).profile).toMatchObject({
      pooling: 'last-token',
      prompt: 'query: ',
      dimensions: 48,
      modelDimension: 384,
    });
    const lastTokens = await compare(
      'last_embeddings',
      await reference(clsModel, { pooling: 'last_token', normalize: true, prompt: 'query: ', dimensions: 48 }),
    );
    expect(lastTokens).toMatchObject({ rows: texts.length, dimension: 48 });
    expect(lastTokens.worstCosine).toBeGreaterThanOrEqual(0.99999);
    expect(lastTokens.worstNorm).toBeLessThan(1e-5);

    // Mean pooling and a Normalize module: no note; the default prompt name picks the document prompt.
    const mean = await embed(meanModel, 'mean', '--target', 'mean_embeddings');
    expect(mean.code, mean.stderr).toBe(0);
    expect(JSON.parse(mean.stdout).profile).toMatchObject({
      pooling: 'mean',
      normalize: true,
      prompt: 'search_document: ',
      queryPrompt: 'search_query: ',
      notes: [],
    });
    const meaned = await compare(
      'mean_embeddings',
      await reference(meanModel, { pooling: 'mean', normalize: true, prompt: 'search_document: ' }),
    );
    expect(meaned.worstCosine).toBeGreaterThanOrEqual(0.99999);
    expect(meaned.worstNorm).toBeLessThan(1e-5);

    // embed status shows the profile the job ran with, in words and in JSON.
    const status = await runCli(['status', 'sentences', '--state', state('last'), '--database-url', fixture.db.url, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const reported = JSON.parse(status.stdout);
    expect(reported.job).toMatchObject({ dimension: 48, profile: '[last-token, prompt "query: ", 48 dimensions]' });
    expect(reported.profile).toMatchObject({ pooling: 'last-token', prompt: 'query: ', dimensions: 48 });
    expect(reported).toMatchObject({ rowsDone: texts.length, rowsTotal: texts.length });
    const words = await runCli(['status', 'sentences', '--state', state('cls'), '--database-url', fixture.db.url]);
    expect(words.stdout).toContain(
      '\nprofile     cls pooling, normalised, document prompt "passage: ", query prompt "query: ", 384 dimensions, 256 tokens',
    );
  });

  it('refuses in one line another profile or dimension on the same target or job, a Dense module the graph lacks, and too many dimensions', async () => {
    const other = await embed(clsModel, 'cls', '--pooling', 'mean');
    expect(other.code).toBe(1);
    expect(other.stdout).toBe('');
    expect(other.stderr).toMatch(
      /^embed: target "public"\."sentences_embeddings" holds embeddings of model st-cls@[0-9a-f]{12} \[cls, prompt "passage: "\], not st-cls@[0-9a-f]{12} \[prompt "passage: "\]; pass --target NEW_TABLE to embed into a new table, or --restart to delete them and re-embed with .*\n$/,
    );

    // Another dimension cannot go into the same column, even after --restart: a new target, or drop this one.
    const narrower = await embed(clsModel, 'cls', '--dimensions', '100');
    expect(narrower.code).toBe(1);
    expect(narrower.stderr).toMatch(
      /^embed: target "public"\."sentences_embeddings" holds embeddings of model st-cls@[0-9a-f]{12} \[cls, prompt "passage: "\], not st-cls@[0-9a-f]{12} \[cls, prompt "passage: ", 100 dimensions\], with another dimension; pass --target NEW_TABLE to embed into a new table, or drop it and run again \(--restart keeps its column type\)\n$/,
    );

    // The hosts of a --distributed job share one profile: a host with another is refused before it writes.
    const firstHost = await embed(clsModel, 'host-a', '--distributed', '--target', 'shared_embeddings');
    expect(firstHost.code, firstHost.stderr).toBe(0);
    const otherHost = await embed(clsModel, 'host-b', '--distributed', '--target', 'shared_embeddings', '--pooling', 'max');
    expect(otherHost.code).toBe(1);
    expect(otherHost.stderr).toBe(
      `embed: this host's model profile [max, prompt "passage: "] is not the profile of the distributed job on "public"."shared_embeddings" ([cls, prompt "passage: "]); ` +
        'give every host the same --pooling, --prompt, --prompt-name, --dimensions and --raw-vectors\n',
    );
    const models = await fixture.db.client.query(`SELECT DISTINCT model FROM shared_embeddings`);
    expect(models.rows.map((r) => r.model)).toEqual([expect.stringMatching(/^st-cls@[0-9a-f]{12} \[cls, prompt "passage: "\]$/)]);

    const dense = modelWith(fixture.dir, 'st-dense', {
      'modules.json': [transformer, poolingModule, { idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' }],
      '1_Pooling/config.json': poolingConfig('mean_tokens'),
      '2_Dense/config.json': { in_features: 384, out_features: 256, bias: true },
    });
    const refused = await embed(dense, 'dense', '--target', 'dense_embeddings');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^embed: model .*st-dense.*model\.onnx has a Dense module \(modules\.json\) but its graph has no sentence_embedding output, so embed cannot apply it; use an ONNX export that includes the Dense layer \(sentence_embedding output\)\n$/,
    );
    const made = await fixture.db.client.query(`SELECT to_regclass('dense_embeddings') IS NOT NULL AS made`);
    expect(made.rows[0].made).toBe(false);

    const tooMany = await embed(clsModel, 'wide', '--dimensions', '500', '--target', 'wide_embeddings');
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toBe(
      'embed: --dimensions must be at most 384, the dimension of model st-cls, got 500\nrun embed --help for usage\n',
    );
  });
});
