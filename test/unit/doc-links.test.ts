/**
 * Every relative link of the docs resolves: the file or folder exists, and an #anchor names a heading of
 * the page it points into, as GitHub makes anchors.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { checkLinks, githubSlug, headingSlugs, missingFileNames, relativeLinks, repositoryFiles } from '../helpers/doc-links.js';

const pages = [
  'README.md',
  'ARCHITECTURE.md',
  'bench/README.md',
  ...readdirSync(path.join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

describe('links in the docs', () => {
  it('all resolve, anchors included', () => {
    const { checked, broken } = checkLinks(repoRoot, pages);
    expect(broken).toEqual([]);
    // The docs cross-link heavily: finding few links would mean the parser stopped seeing them.
    expect(checked).toBeGreaterThan(40);
  });
});

describe('the link check', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'doc-links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'docs'));
  writeFileSync(
    path.join(root, 'docs', 'target.md'),
    [
      '# Target',
      '',
      '## Changes since the last run',
      '',
      '## Where the memory is: `bench/memory-probe.cjs`',
      '',
      '## Twice',
      '## Twice',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(root, 'README.md'),
    [
      '# Page',
      '',
      'Good: [a](docs/target.md), [b](docs/target.md#changes-since-the-last-run), [c](docs/), [d](#page),',
      '[e](docs/target.md#where-the-memory-is-benchmemory-probecjs), [f](docs/target.md#twice-1), [g](https://example.com/x).',
      'Broken: [missing file](docs/missing.md) and [missing',
      'anchor](docs/target.md#changes-since-last-run), [h](#nowhere).',
      '',
      '    [in an indented code block](docs/none.md)',
      '',
      '```',
      '[in a fence](docs/none.md)',
      '```',
      'and `[inline code](docs/none.md)`.',
      '',
    ].join('\n'),
  );

  it('reports a missing file and a missing anchor, with their lines, and nothing in code', () => {
    const { checked, broken } = checkLinks(root, ['README.md']);
    expect(broken).toEqual([
      { file: 'README.md', line: 5, link: 'docs/missing.md', reason: 'no file docs/missing.md' },
      {
        file: 'README.md',
        line: 5,
        link: 'docs/target.md#changes-since-last-run',
        reason: 'no heading #changes-since-last-run in docs/target.md',
      },
      { file: 'README.md', line: 6, link: '#nowhere', reason: 'no heading #nowhere in README.md' },
    ]);
    expect(checked).toBe(9);
  });

  it("makes anchors by GitHub's rules", () => {
    expect(githubSlug('Status, failures and reset')).toBe('status-failures-and-reset');
    expect(githubSlug('`npm run bench:look`: what a look costs')).toBe('npm-run-benchlook-what-a-look-costs');
    expect(githubSlug('Résumé [of](x.md) --refresh')).toBe('résumé-of---refresh');
    expect([...headingSlugs('# A\n## A\n## A\n')]).toEqual(['a', 'a-1', 'a-2']);
    expect(relativeLinks('    [code](x.md)\n')).toEqual([]);
  });
});

describe('files named in ARCHITECTURE.md', () => {
  const files = repositoryFiles(repoRoot);

  it('all exist: the paths of a batch and of a range name the files as they are', () => {
    const page = readFileSync(path.join(repoRoot, 'ARCHITECTURE.md'), 'utf8');
    expect(missingFileNames(page, files)).toEqual([]);
    expect(page.match(/[\w./-]+\.ts\b/g)?.length).toBeGreaterThan(40);
  });

  it('are reported when moved or renamed', () => {
    const page = 'pass/embed-loop.ts reads; encoder.ts runs; run/gone.ts and fetch-ahead.ts do not exist.';
    expect(missingFileNames(page, files)).toEqual(['run/gone.ts', 'fetch-ahead.ts']);
  });
});
