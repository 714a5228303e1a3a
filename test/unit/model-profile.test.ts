/** Where each part of a model profile comes from, read from real files in a temp folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileMark, resolveProfile, type ProfileFlags } from '../../dist/src/model/model-profile.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'embed-profile-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A folder named `name` holding these JSON files, and the facts model-folder.ts would give for it. */
function model(name: string, files: Record<string, unknown> = {}) {
  const dir = path.join(root, String(folders++), name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return { name, dir, dimension: 384, maxSequenceLength: 512 };
}
const none: ProfileFlags = { rawVectors: false };
const modules = (...types: string[]) =>
  types.map((type, idx) => ({
    idx,
    name: String(idx),
    path: type === 'Pooling' ? '1_Pooling' : type === 'Dense' ? '2_Dense' : '',
    type: `sentence_transformers.models.${type}`,
  }));

describe('resolveProfile', () => {
  it('assumes mean pooling with a note for a model nothing describes, and marks nothing (the identity of targets made before profiles)', () => {
    const profile = resolveProfile(model('my-model'), none);
    expect(profile).toMatchObject({
      pooling: 'mean',
      normalize: true,
      prompt: '',
      queryPrompt: '',
      dimensions: 384,
      maxTokens: 512,
      needsPooledOutput: false,
    });
    expect(profile.mark).toBeUndefined();
    expect(profile.notes).toEqual([
      'model my-model names no pooling (no 1_Pooling/config.json, not a known model): assuming mean pooling; pass --pooling cls|mean|max|last-token if its model card says otherwise',
    ]);
  });

  it('knows converted repositories of well-known models by name, whatever their owner', () => {
    expect(resolveProfile(model('bge-small-en-v1.5'), none)).toMatchObject({
      pooling: 'cls',
      prompt: '',
      queryPrompt: 'Represent this sentence for searching relevant passages: ',
      notes: [],
      sources: { pooling: "embed's table of known models (https://huggingface.co/BAAI/bge-small-en-v1.5)" },
    });
    const e5 = resolveProfile({ ...model('multilingual-e5-small'), name: 'Xenova/multilingual-e5-small' }, none);
    expect(e5).toMatchObject({ pooling: 'mean', prompt: 'passage: ', queryPrompt: 'query: ', mark: '[prompt "passage: "]' });
    // The folder's own files beat the table.
    expect(
      resolveProfile(
        model('bge-base-en-v1.5', {
          'modules.json': modules('Transformer', 'Pooling'),
          '1_Pooling/config.json': { pooling_mode_mean_tokens: true },
        }),
        none,
      ).pooling,
    ).toBe('mean');
  });

  it('takes the document prompt by default_prompt_name, else by a document-side name, and the query prompt by a query-side name', () => {
    const nomic = { prompts: { search_query: 'search_query: ', search_document: 'search_document: ', clustering: 'clustering: ' } };
    expect(resolveProfile(model('m', { 'config_sentence_transformers.json': nomic }), none)).toMatchObject({
      prompt: 'search_document: ',
      queryPrompt: 'search_query: ',
    });
    const named = { ...nomic, default_prompt_name: 'clustering' };
    expect(resolveProfile(model('m', { 'config_sentence_transformers.json': named }), none).prompt).toBe('clustering: ');
    expect(resolveProfile(model('m', { 'config_sentence_transformers.json': nomic }), { ...none, promptName: 'search_query' }).prompt).toBe(
      'search_query: ',
    );
    expect(resolveProfile(model('m', { 'config_sentence_transformers.json': nomic }), { ...none, prompt: '' })).toMatchObject({
      prompt: '',
      sources: { prompt: '--prompt' },
    });
  });

  it('reads a Dense module (the graph must pool) and its output size', () => {
    const dense = model('m', {
      'modules.json': modules('Transformer', 'Pooling', 'Dense', 'Normalize'),
      '1_Pooling/config.json': { pooling_mode_cls_token: true },
      '2_Dense/config.json': { in_features: 384, out_features: 256 },
    });
    expect(resolveProfile(dense, none)).toMatchObject({
      pooling: 'cls',
      needsPooledOutput: true,
      modelDimension: 256,
      dimensions: 256,
      notes: [],
    });
  });

  it('refuses in one line what it cannot honour', () => {
    const withNormalize = model('m', {
      'modules.json': modules('Transformer', 'Pooling', 'Normalize'),
      '1_Pooling/config.json': { pooling_mode_mean_tokens: true },
    });
    expect(() => resolveProfile(withNormalize, { ...none, rawVectors: true })).toThrow(
      /^--raw-vectors: model m normalises its vectors itself/,
    );
    expect(() => resolveProfile(model('m'), { ...none, dimensions: 385 })).toThrow(
      '--dimensions must be at most 384, the dimension of model m, got 385',
    );
    expect(() => resolveProfile(model('m'), { ...none, promptName: 'query' })).toThrow(
      'model m has no prompt named "query" (no prompts in config_sentence_transformers.json); pass the prompt itself with --prompt TEXT',
    );
    expect(() => resolveProfile(model('m'), { ...none, prompt: 'x', promptName: 'y' })).toThrow(
      /^--prompt and --prompt-name exclude each other/,
    );
    const weighted = model('m', { '1_Pooling/config.json': { pooling_mode_weightedmean_tokens: true } });
    expect(() => resolveProfile(weighted, none)).toThrow(
      /asks for pooling_mode_weightedmean_tokens, which embed cannot pool; pass --pooling/,
    );
    expect(() => resolveProfile(model('m', { 'modules.json': '{not json' }), none)).toThrow(/^cannot read .*modules\.json/);
  });
});

describe('profileMark', () => {
  it('names only what differs from the default profile', () => {
    const base = { pooling: 'mean' as const, normalize: true, prompt: '', dimensions: 384, modelDimension: 384 };
    expect(profileMark(base)).toBeUndefined();
    expect(profileMark({ ...base, pooling: 'cls', normalize: false, prompt: 'q: ', dimensions: 64 })).toBe(
      '[cls, raw, prompt "q: ", 64 dimensions]',
    );
  });
});
