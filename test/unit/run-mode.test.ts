import { describe, expect, it } from 'vitest';
import { resolveEmbedConfig } from '../../dist/src/config/config.js';
import { UsageError } from '../../dist/common/errors.js';
import { resolveLookupConfig } from '../../dist/src/job/job-lookup.js';

const resolve = (args: Record<string, unknown>) => resolveEmbedConfig({ table: 'sentences', ...args }, {}, 2);

describe('how a run picks its rows', () => {
  it('continues by default, or takes the one mode flag given', () => {
    expect(resolve({}).mode).toBe('continue');
    expect(resolve({ refresh: true }).mode).toBe('refresh');
    expect(resolve({ rebuildState: true }).mode).toBe('rebuild-state');
    expect(resolve({ restart: true }).mode).toBe('restart');
    expect(resolve({ retryFailed: true, refresh: false }).mode).toBe('retry-failed');
  });

  it('refuses two mode flags at once', () => {
    expect(() => resolve({ refresh: true, restart: true })).toThrow(UsageError);
    expect(() => resolve({ refresh: true, restart: true })).toThrow('--refresh and --restart exclude each other: pass one per run');
    expect(() => resolve({ rebuildState: true, retryFailed: true, restart: true })).toThrow(
      '--rebuild-state and --restart and --retry-failed exclude each other: pass one per run',
    );
  });
});

describe('the flags that pick a recorded job', () => {
  it('resolves the state file and database like embed does, flags over environment over defaults', () => {
    expect(resolveLookupConfig({ table: 'public.sentences' }, {})).toEqual({
      table: { schema: 'public', name: 'sentences' },
      statePath: '.embed/state.sqlite',
      model: undefined,
      target: undefined,
      column: undefined,
      idColumn: undefined,
      textColumn: undefined,
      databaseUrl: undefined,
      databaseFrom: 'the PG* variables',
    });
    const env = { EMBED_STATE: '/tmp/env.sqlite', EMBED_MODEL: 'env-model', DATABASE_URL: 'postgres://env/db' };
    expect(resolveLookupConfig({ table: 't' }, env)).toMatchObject({
      statePath: '/tmp/env.sqlite',
      model: 'env-model',
      databaseUrl: 'postgres://env/db',
      databaseFrom: 'DATABASE_URL',
    });
    expect(
      resolveLookupConfig({ table: 't', state: 'flag.sqlite', model: 'm', databaseUrl: 'postgres://flag/db', target: 'x.y' }, env),
    ).toMatchObject({
      statePath: 'flag.sqlite',
      model: 'm',
      databaseUrl: 'postgres://flag/db',
      databaseFrom: '--database-url',
      target: { schema: 'x', name: 'y' },
    });
  });

  it('says what is wrong in one line', () => {
    expect(() => resolveLookupConfig({ table: 't', target: 'a', column: 'b' }, {})).toThrow(
      '--target and --column exclude each other: a job writes to a side table or to a column, not both',
    );
    expect(() => resolveLookupConfig({ table: 't', state: ' ' }, {})).toThrow('--state must not be empty');
    expect(() => resolveLookupConfig({ table: 't' }, { EMBED_STATE: '' })).toThrow('EMBED_STATE must not be empty');
    expect(() => resolveLookupConfig({ table: 't', idColumn: 'a.b' }, {})).toThrow('--id-column a.b must be a single column name');
    expect(() => resolveLookupConfig({ table: 'bad name' }, {})).toThrow(UsageError);
  });
});
