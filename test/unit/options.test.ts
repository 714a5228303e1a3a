/**
 * The option table is the one place defaults live: what --help shows as an option's default is what a
 * run with no flags resolves, for every option that has one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEmbedConfig, type EmbedConfig } from '../../dist/src/config/config.js';
import { embedOptions } from '../../dist/src/config/options.js';
import { repoRoot } from '../helpers/cli.js';

/** The config field each defaulted option sets. */
const fieldOf: Record<string, keyof EmbedConfig> = {
  model: 'model',
  dtype: 'dtype',
  device: 'device',
  'id-column': 'idColumn',
  'text-column': 'textColumn',
  state: 'statePath',
  'max-batch-tokens': 'maxBatchTokens',
  'sort-window': 'sortWindow',
  'write-method': 'writeMethod',
  'vector-type': 'vectorType',
  'db-down-budget': 'dbDownBudgetSeconds',
  'lock-timeout': 'lockTimeoutSeconds',
  'statement-timeout': 'statementTimeoutSeconds',
  lease: 'leaseSeconds',
  'log-format': 'logFormat',
};

const help = execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'embed.js'), '--help'], { encoding: 'utf8' }).replace(/\s+/g, ' ');

/** The help of one flag: from its name to the next flag. */
function helpOf(flag: string): string {
  const at = help.indexOf(`--${flag} `);
  expect(at, `--${flag} in --help`).toBeGreaterThanOrEqual(0);
  const next = help.indexOf(' --', at + flag.length + 2);
  return help.slice(at, next < 0 ? undefined : next);
}

describe('the option table', () => {
  const defaulted = Object.entries(embedOptions)
    .filter(([, spec]) => 'value' in spec)
    .map(([flag]) => flag);

  it('names the config field of every option with a default', () => {
    expect(defaulted.sort()).toEqual(Object.keys(fieldOf).sort());
  });

  it.each(Object.entries(fieldOf))('--help shows for --%s the default a run resolves', (flag, field) => {
    const resolved = resolveEmbedConfig({ table: 'sentences' }, {}, 2)[field];
    expect(helpOf(flag)).toContain(`[default: ${String(resolved)}]`);
  });

  it('shows the sort window a run uses', () => {
    expect(helpOf('sort-window')).toContain(`[default: ${resolveEmbedConfig({ table: 'sentences' }, {}, 2).sortWindow}]`);
    expect(helpOf('sort-window')).not.toContain('[default: 800]');
  });
});

describe('first contact', () => {
  const embed = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'embed.js'), ...args], { encoding: 'utf8' });

  it('embed --version prints the package version, embed -h the help', () => {
    expect(embed('--version').trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    expect(embed('-h').replace(/\s+/g, ' ')).toBe(help);
  });
});
