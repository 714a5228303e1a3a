import { describe, expect, it } from 'vitest';
import { resolveEmbedConfig, rowsPerTask } from '../../dist/src/config/config.js';
import { UsageError } from '../../dist/common/errors.js';

const resolve = (args: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, cores = 2) =>
  resolveEmbedConfig({ table: 'sentences', ...args }, env, cores);

describe('rowsPerTask', () => {
  it('rounds the sort window down to whole batches, never below one batch', () => {
    expect(rowsPerTask(100, 800)).toBe(800);
    expect(rowsPerTask(256, 800)).toBe(768);
    expect(rowsPerTask(32, 800)).toBe(800);
    expect(rowsPerTask(1000, 800)).toBe(1000);
    expect(rowsPerTask(50, 1)).toBe(50);
  });
});

describe('resolveEmbedConfig', () => {
  it('has the documented defaults', () => {
    expect(resolve({})).toMatchObject({
      table: { name: 'sentences' },
      batchSize: 100,
      workers: 2,
      threads: 1,
      model: 'Xenova/all-MiniLM-L6-v2',
      dtype: 'fp32',
      device: 'cpu',
      idColumn: 'id',
      textColumn: 'text',
      statePath: '.embed/state.sqlite',
      maxBatchTokens: 1024,
      sortWindow: 1600,
      writeMethod: 'copy',
      dbDownBudgetSeconds: 120,
      lockTimeoutSeconds: 60,
      statementTimeoutSeconds: 600,
      castText: false,
      quiet: false,
      json: false,
    });
    expect(resolve({ lockTimeout: '0', statementTimeout: '0', dbDownBudget: '5', castText: true })).toMatchObject({
      lockTimeoutSeconds: 0,
      statementTimeoutSeconds: 0,
      dbDownBudgetSeconds: 5,
      castText: true,
    });
  });

  it('gives each worker floor(cores / workers) threads, at least one', () => {
    expect(resolve({ workers: '1' }, {}, 8).threads).toBe(8);
    expect(resolve({ workers: '3' }, {}, 8).threads).toBe(2);
    expect(resolve({ workers: '8' }, {}, 2).threads).toBe(1);
    expect(resolve({ workers: '2', threads: '4' }, {}, 2).threads).toBe(4);
  });

  it('takes flags over environment over defaults', () => {
    const env = { EMBED_WORKERS: '3', EMBED_MODEL: 'env-model', EMBED_STATE: '/tmp/env.sqlite', DATABASE_URL: 'postgres://env/db' };
    expect(resolve({}, env)).toMatchObject({
      workers: 3,
      model: 'env-model',
      statePath: '/tmp/env.sqlite',
      databaseUrl: 'postgres://env/db',
    });
    expect(resolve({ workers: '5', model: 'flag-model', state: 'flag.sqlite', databaseUrl: 'postgres://flag/db' }, env)).toMatchObject({
      workers: 5,
      model: 'flag-model',
      statePath: 'flag.sqlite',
      databaseUrl: 'postgres://flag/db',
    });
    expect(resolve({}, { EMBED_WORKERS: 'auto' }, 6).workers).toBe(6);
  });

  it.each([
    [{ batchSize: '0' }, {}, 'batch size must be a whole number of at least 1, got "0"'],
    [{ batchSize: '-3' }, {}, 'batch size must be a whole number of at least 1, got "-3"'],
    [{ batchSize: '2.5' }, {}, 'batch size must be a whole number of at least 1, got "2.5"'],
    [{ batchSize: '100001' }, {}, 'batch size must be at most 100000, got 100001'],
    [{ workers: '0' }, {}, '--workers must be auto or a whole number of at least 1, got "0"'],
    [{ workers: 'many' }, {}, '--workers must be auto or a whole number of at least 1, got "many"'],
    [{}, { EMBED_WORKERS: 'x' }, 'EMBED_WORKERS must be auto or a whole number of at least 1, got "x"'],
    [{ workers: '257' }, {}, '--workers must be at most 256, got 257'],
    [{ threads: '0' }, {}, '--threads must be a whole number of at least 1, got "0"'],
    [{ dtype: 'q3' }, {}, '--dtype must be one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4, got "q3"'],
    [
      { onnxFile: '../model.onnx' },
      {},
      `--onnx-file takes an .onnx file's path inside the model folder, such as onnx/model_O4.onnx; got "../model.onnx"`,
    ],
    [{ device: 'gpu' }, {}, '--device must be one of cpu, cuda, got "gpu"'],
    [{ writeMethod: 'csv' }, {}, '--write-method must be one of copy, insert, got "csv"'],
    [{ limit: '0' }, {}, '--limit must be a whole number of at least 1, got "0"'],
    [{ maxBatchTokens: 'lots' }, {}, '--max-batch-tokens must be a whole number of at least 1, got "lots"'],
    [{ sortWindow: '0' }, {}, '--sort-window must be a whole number of at least 1, got "0"'],
    [{ sortWindow: '100001' }, {}, '--sort-window must be at most 100000, got 100001'],
    [{ model: ' ' }, {}, '--model must not be empty'],
    [{}, { EMBED_MODEL: '' }, 'EMBED_MODEL must not be empty'],
    [{ state: '' }, {}, '--state must not be empty'],
    [{ target: 't', column: 'c' }, {}, '--target and --column exclude each other: write to a side table or to a column, not both'],
    [{ table: 'a b' }, {}, 'table name "a b" is not a valid identifier; if that is its real name, put it in double quotes'],
    [{ target: 'x;y' }, {}, '--target name "x;y" is not a valid identifier; if that is its real name, put it in double quotes'],
    [{ idColumn: 'a.b' }, {}, '--id-column a.b must be a single column name'],
    [{ dbDownBudget: '0' }, {}, '--db-down-budget must be a whole number of seconds of at least 1, got "0"'],
    [{ dbDownBudget: '999999999' }, {}, '--db-down-budget must be at most 604800, got 999999999'],
    [{ lockTimeout: '-1' }, {}, '--lock-timeout must be a whole number of seconds (0 for no limit), got "-1"'],
    [{ statementTimeout: '2.5' }, {}, '--statement-timeout must be a whole number of seconds (0 for no limit), got "2.5"'],
    [{ statementTimeout: '604801' }, {}, '--statement-timeout must be at most 604800 seconds, got 604801'],
  ])('%j %j -> %s', (args, env, message) => {
    let thrown: unknown;
    try {
      resolve(args, env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toBe(message);
  });
});
