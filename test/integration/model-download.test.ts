/**
 * The download path for real: `--model ORG/NAME` fetched by transformers.js over HTTP from a local server
 * that serves the model hub's URL layout (HF_ENDPOINT points at it) with a generated model's files.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureModel } from '../../dist/scripts/make-model.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const REPO = 'test-org/tiny-model';
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file under `folder`, '/'-separated, relative to it. */
function filesUnder(folder: string, prefix = ''): string[] {
  if (!existsSync(path.join(folder, prefix))) return [];
  return readdirSync(path.join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(folder, relative) : [relative];
  });
}

describe('model download from a hub (HF_ENDPOINT)', () => {
  const source = inject('tinyModelDir');
  const table = useSentencesTable(40, 'embed-download-');
  const servers: HubServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  let runs = 0;

  async function hub(options: { dieHalfwayThrough?: string; models?: Record<string, string> } = {}): Promise<HubServer> {
    const server = await startHubServer({ models: { [REPO]: source }, ...options });
    servers.push(server);
    return server;
  }

  const embed = (model: string, modelsDir: string, env: NodeJS.ProcessEnv) =>
    runCli(
      [
        'sentences',
        '100',
        '--model',
        model,
        '--workers',
        '1',
        '--json',
        '--target',
        `t_${runs}`,
        '--database-url',
        table.db.url,
        '--state',
        path.join(table.dir, `state-${runs++}.sqlite`),
      ],
      { EMBED_MODELS_DIR: modelsDir, ...env },
    );

  const freshModelsDir = () => mkdtempSync(path.join(table.dir, 'models-'));

  it('downloads a complete model into the models folder, then runs from disk without asking again', async () => {
    const server = await hub();
    const modelsDir = freshModelsDir();
    const first = await embed(REPO, modelsDir, { HF_ENDPOINT: server.url });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rowsEmbedded: expect.any(Number), tokenizer: "the model's own" });
    expect(JSON.parse(first.stdout).rowsEmbedded).toBeGreaterThan(0);
    const folder = path.join(modelsDir, REPO);
    for (const file of FILES) {
      expect(sha256(path.join(folder, file)), file).toBe(sha256(path.join(source, file)));
      expect(server.requests).toContain(`GET /${REPO}/resolve/main/${file}`);
    }
    expect(filesUnder(folder).filter((file) => file.includes('.tmp'))).toEqual([]);

    const asked = server.requests.length;
    const second = await embed(REPO, modelsDir, { HF_ENDPOINT: server.url });
    expect(second.code).toBe(0);
    expect(server.requests.length).toBe(asked);
  });

  it('a server dying halfway through the weights leaves no folder taken for complete; the next run finishes', async () => {
    const dying = await hub({ dieHalfwayThrough: 'onnx/model.onnx' });
    const modelsDir = freshModelsDir();
    const broken = await embed(REPO, modelsDir, { HF_ENDPOINT: dying.url });
    await dying.died;
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).toContain(REPO);
    expect(broken.stderr).toContain(new URL(dying.url).host);
    const folder = path.join(modelsDir, REPO);
    expect(existsSync(path.join(folder, 'onnx', 'model.onnx'))).toBe(false);
    // Whatever is there is whole: no half file under its final name or a temporary one.
    for (const file of filesUnder(folder)) expect(sha256(path.join(folder, file)), file).toBe(sha256(path.join(source, file)));

    const healthy = await hub();
    const finished = await embed(REPO, modelsDir, { HF_ENDPOINT: healthy.url });
    expect(finished.stderr).toBe('');
    expect(finished.code).toBe(0);
    expect(healthy.requests).toContain(`GET /${REPO}/resolve/main/onnx/model.onnx`);
    for (const file of FILES) expect(sha256(path.join(folder, file)), file).toBe(sha256(path.join(source, file)));
  });

  it('a model the hub does not have is one line naming the model and the host, without a stack', async () => {
    const server = await hub();
    const result = await embed('test-org/no-such-model', freshModelsDir(), { HF_ENDPOINT: server.url });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('test-org/no-such-model');
    expect(lines[0]).toContain(new URL(server.url).host);
    expect(lines[0]).toContain('404');
    expect(server.requests.length).toBeGreaterThan(0);
  });

  it('EMBED_OFFLINE=1 never asks the hub', async () => {
    const server = await hub();
    const result = await embed(REPO, freshModelsDir(), { HF_ENDPOINT: server.url, EMBED_OFFLINE: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('EMBED_OFFLINE=1');
    expect(server.requests).toEqual([]);
  });

  it('also fetches the sentence-transformers files and the external data the repository has; a 404 for one is no error', async () => {
    // A model whose weights are in onnx/model.onnx_data, with config.json not saying so (transformers.js
    // alone would then not fetch it), and three of the four sentence-transformers files.
    const served = path.join(table.dir, 'served-st-model');
    cpSync(await ensureModel('tiny-external-data'), served, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(served, 'config.json'), 'utf8'));
    delete config['transformers.js_config'];
    writeFileSync(path.join(served, 'config.json'), JSON.stringify(config));
    writeFileSync(
      path.join(served, 'modules.json'),
      JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
        { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
      ]),
    );
    mkdirSync(path.join(served, '1_Pooling'));
    writeFileSync(
      path.join(served, '1_Pooling', 'config.json'),
      JSON.stringify({ word_embedding_dimension: 32, pooling_mode_mean_tokens: true }),
    );
    writeFileSync(
      path.join(served, 'config_sentence_transformers.json'),
      JSON.stringify({ prompts: { query: 'query: ', passage: 'passage: ' } }),
    );
    const repo = 'test-org/st-model';
    const server = await hub({ models: { [repo]: served } });
    const modelsDir = freshModelsDir();
    const result = await embed(repo, modelsDir, { HF_ENDPOINT: server.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).rowsEmbedded).toBeGreaterThan(0);
    const folder = path.join(modelsDir, repo);
    for (const file of ['modules.json', '1_Pooling/config.json', 'config_sentence_transformers.json', 'onnx/model.onnx_data']) {
      expect(sha256(path.join(folder, file)), file).toBe(sha256(path.join(served, file)));
      expect(server.requests).toContain(`GET /${repo}/resolve/main/${file}`);
    }
    // Asked for, not there, not an error.
    expect(server.requests).toContain(`GET /${repo}/resolve/main/sentence_bert_config.json`);
    expect(existsSync(path.join(folder, 'sentence_bert_config.json'))).toBe(false);
    expect(filesUnder(folder).filter((file) => file.includes('.part'))).toEqual([]);
  });

  it('--onnx-file and a --dtype of transformers.js download the file they name', async () => {
    const served = path.join(table.dir, 'served-named-files');
    cpSync(source, served, { recursive: true });
    cpSync(path.join(source, 'onnx', 'model.onnx'), path.join(served, 'onnx', 'model_O4.onnx'));
    cpSync(path.join(source, 'onnx', 'model_quantized.onnx'), path.join(served, 'onnx', 'model_int8.onnx'));
    const repo = 'test-org/named-files';
    const server = await hub({ models: { [repo]: served } });
    for (const [flags, file] of [
      [['--onnx-file', 'onnx/model_O4.onnx'], 'onnx/model_O4.onnx'],
      [['--dtype', 'int8'], 'onnx/model_int8.onnx'],
    ] as const) {
      const modelsDir = freshModelsDir();
      const result = await runCli(
        [
          'sentences',
          '--model',
          repo,
          ...flags,
          '--workers',
          '1',
          '--json',
          '--target',
          `t_${runs}`,
          '--database-url',
          table.db.url,
          '--state',
          path.join(table.dir, `state-${runs++}.sqlite`),
        ],
        { EMBED_MODELS_DIR: modelsDir, HF_ENDPOINT: server.url },
      );
      expect(result.stderr, file).toBe('');
      expect(result.code, file).toBe(0);
      expect(sha256(path.join(modelsDir, repo, file)), file).toBe(sha256(path.join(served, file)));
      expect(server.requests).toContain(`GET /${repo}/resolve/main/${file}`);
      expect(existsSync(path.join(modelsDir, repo, 'onnx', 'model.onnx')), file).toBe(false);
    }
  });
});
