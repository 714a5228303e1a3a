/**
 * Which ONNX file runs: --dtype by transformers.js's names (each a file suffix under onnx/), --onnx-file
 * for any other name, and a model whose weights are in external data, whose hash covers that file too.
 * Real CLI runs on a real database; the vectors stored are compared with the encoder's own on the fp32
 * file, which the renamed files are copies of.
 */
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ensureModel } from '../../dist/scripts/make-model.js';
import { runCli } from '../helpers/cli.js';
import { directEmbeddings, storedEmbeddings } from '../helpers/embeddings.js';
import { textFor } from '../helpers/fixtures.js';
import { cosine } from '../helpers/reference-vectors.js';
import { useSentencesTable } from '../helpers/sentences-table.js';
import { startWatcher } from '../helpers/watcher.js';

const ROWS = 60;

describe('model files: --dtype, --onnx-file, external data', () => {
  const table = useSentencesTable(ROWS, 'embed-model-files-');
  let runs = 0;
  const embed = (args: string[]) =>
    runCli([
      'sentences',
      '--workers',
      '1',
      '--json',
      '--database-url',
      table.db.url,
      '--state',
      path.join(table.dir, `state-${runs}.sqlite`),
      '--target',
      `t_${runs++}`,
      ...args,
    ]);

  /** tiny-random's folder copied, with its fp32 file moved to `file`. */
  const folderWith = (name: string, file: string): string => {
    const dir = path.join(table.dir, name);
    cpSync(inject('tinyModelDir'), dir, { recursive: true });
    renameSync(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, file));
    return dir;
  };

  /** The stored vectors of the last run are the fp32 model's: the renamed file ran. */
  async function expectFp32Vectors(target: string): Promise<void> {
    const stored = await storedEmbeddings(table.db.client, target);
    const ids = [...stored.keys()].sort((a, b) => Number(a) - Number(b));
    expect(ids.length).toBeGreaterThan(ROWS / 2);
    const direct = await directEmbeddings(
      inject('tinyModelDir'),
      ids.map((id) => textFor(Number(id))!),
    );
    const worst = Math.min(...ids.map((id, i) => cosine(stored.get(id)!, direct[i]!)));
    expect(worst).toBeGreaterThanOrEqual(0.99999);
  }

  it('--dtype q4 runs onnx/model_q4.onnx; a dtype whose file is missing is one line naming the file', async () => {
    const dir = folderWith('dtype-model', 'onnx/model_q4.onnx');
    const ran = await embed(['--model', dir, '--dtype', 'q4']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ outcome: 'completed', dtype: 'q4' });
    await expectFp32Vectors(`t_${runs - 1}`);

    const missing = await embed(['--model', dir, '--dtype', 'bnb4']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('onnx/model_bnb4.onnx');

    const unknown = await embed(['--model', dir, '--dtype', 'q3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--dtype must be one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4/);
  }, 120_000);

  it('--onnx-file runs a file of any name in the folder; a path out of it, or with --dtype, is a usage error', async () => {
    const dir = folderWith('named-file-model', 'onnx/model_O4.onnx');
    const ran = await embed(['--model', dir, '--onnx-file', 'onnx/model_O4.onnx']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ outcome: 'completed', dtype: 'onnx/model_O4.onnx' });
    await expectFp32Vectors(`t_${runs - 1}`);

    for (const bad of [
      ['--onnx-file', '../model.onnx'],
      ['--onnx-file', '/tmp/model.onnx'],
      ['--onnx-file', 'onnx/model_O4'],
    ]) {
      const refused = await embed(['--model', dir, ...bad]);
      expect(refused.code, bad.join(' ')).toBe(2);
      // A usage error: its line, then the pointer to --help every usage error ends with.
      expect(refused.stderr.split('\n')[0]).toContain("--onnx-file takes an .onnx file's path inside the model folder");
    }
    const both = await embed(['--model', dir, '--onnx-file', 'onnx/model_O4.onnx', '--dtype', 'fp32']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('pass one of them');
  }, 120_000);

  it('a model with external data runs, and new weights in model.onnx_data alone make it another model', async () => {
    const dir = path.join(table.dir, 'external-model');
    cpSync(await ensureModel('tiny-external-data'), dir, { recursive: true });
    const first = await embed(['--model', dir, '--target', 'external_embeddings']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).rowsEmbedded).toBeGreaterThan(ROWS / 2);

    // Other weights, same graph file: flip one byte of every 4-byte float in the first kilobytes.
    const dataFile = path.join(dir, 'onnx', 'model.onnx_data');
    const data = readFileSync(dataFile);
    for (let i = 3; i < 8192; i += 4) data[i]! ^= 0x01;
    writeFileSync(dataFile, data);
    const refused = await embed(['--model', dir, '--target', 'external_embeddings']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /holds embeddings of model external-model@[0-9a-f]{12}, not external-model@[0-9a-f]{12}; pass --target NEW_TABLE/,
    );

    rmSync(dataFile);
    const lost = await embed(['--model', dir, '--target', 'elsewhere_embeddings']);
    expect(lost.code).toBe(1);
    expect(lost.stderr.trim().split('\n')).toHaveLength(1);
    expect(lost.stderr).toContain('model.onnx_data');
  }, 120_000);

  it('a graph asking for an input embed cannot fill (task_id) is refused in one line before any row is read', async () => {
    const refused = await embed(['--model', await ensureModel('tiny-task-id')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('asks for input "task_id", which embed cannot fill');
  }, 60_000);

  it('a watcher stops rather than mix two models when only the external data file changes on disk', async () => {
    const dir = path.join(table.dir, 'watched-external-model');
    cpSync(await ensureModel('tiny-external-data'), dir, { recursive: true });
    await table.db.client.query(`CREATE TABLE watched (id bigserial PRIMARY KEY, text text)`);
    await table.db.client.query(`INSERT INTO watched (text) SELECT 'row number ' || i FROM generate_series(1, 50) AS i`);
    const watcher = startWatcher([
      'watched',
      '--model',
      dir,
      '--workers',
      '1',
      '--database-url',
      table.db.url,
      '--state',
      path.join(table.dir, 'watched.sqlite'),
    ]);
    await watcher.waitFor('caught-up');
    const dataFile = path.join(dir, 'onnx', 'model.onnx_data');
    const data = readFileSync(dataFile);
    for (let i = 3; i < 8192; i += 4) data[i]! ^= 0x01;
    writeFileSync(dataFile, data);
    await table.db.client.query(`INSERT INTO watched (text) VALUES ('written after the weights changed')`);
    const result = await watcher.done;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      /^embed: model file .*model\.onnx changed \(sha256 [0-9a-f]{12} at start, [0-9a-f]{12} now\) while watching; stopped so that one target never mixes two models/,
    );
    expect((await table.db.client.query(`SELECT DISTINCT model FROM watched_embeddings`)).rowCount).toBe(1);
  }, 120_000);
});
