import { describe, expect, it } from 'vitest';
import { resolveEmbedConfig } from '../../dist/src/config/config.js';
import { UsageError } from '../../dist/common/errors.js';

const resolve = (args: Record<string, unknown>) => resolveEmbedConfig({ table: 'sentences', ...args }, {}, 2);

describe('metrics options', () => {
  it('are off by default, beside the embeddings with --metrics, alone with --metrics-only', () => {
    expect(resolve({}).metrics).toEqual({ mode: 'off', foldCase: false });
    expect(resolve({ metrics: true }).metrics).toEqual({ mode: 'beside', foldCase: false });
    expect(resolve({ metricsOnly: true, foldCase: true }).metrics).toEqual({ mode: 'only', foldCase: true });
  });

  it('let --metrics-only use a --target of its own choosing and the worker count', () => {
    expect(resolve({ metricsOnly: true, target: 'm', workers: '3' })).toMatchObject({ target: { name: 'm' }, workers: 3 });
  });

  it.each([
    [
      { metrics: true, metricsOnly: true },
      '--metrics and --metrics-only exclude each other: metrics beside the embeddings, or metrics alone',
    ],
    [{ foldCase: true }, '--fold-case changes the frequency metric: pass it with --metrics or --metrics-only'],
    [
      { metrics: true, column: 'vec' },
      '--metrics writes a side table and --column writes the source table: drop --column (metrics are stored with the side table, or in <table>_metrics with --metrics-only)',
    ],
    [
      { metricsOnly: true, column: 'vec' },
      '--metrics-only writes a side table and --column writes the source table: drop --column (metrics are stored with the side table, or in <table>_metrics with --metrics-only)',
    ],
  ])('refuse %o', (args, message) => {
    expect(() => resolve(args)).toThrow(UsageError);
    expect(() => resolve(args)).toThrow(message);
  });
});
