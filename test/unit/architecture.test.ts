/**
 * The rules of ARCHITECTURE.md, read from the source files themselves: which folder may import which
 * (the top folders, and the layer order of src/), where the native libraries are loaded, how worker data
 * is typed, who ends the process, no import loops, and no long file without a reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const codeFolders = ['src', 'common', 'workers', 'scripts', 'bench'];

function walk(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir)).flatMap((name) => {
    const file = path.posix.join(dir, name);
    return statSync(path.join(repoRoot, file)).isDirectory() ? walk(file) : [file];
  });
}

const sources = codeFolders.flatMap(walk).filter((file) => file.endsWith('.ts'));
const text = new Map(sources.map((file) => [file, readFileSync(path.join(repoRoot, file), 'utf8')]));

/** Every module a file names in an import or export ... from, static or dynamic. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'([^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** The repo files a file imports (relative specifiers), and the packages it imports. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specifiers(text.get(file)!)) {
    if (spec.startsWith('.')) files.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
    else packages.push(spec);
  }
  return { files, packages };
}

const folderOf = (file: string) => file.split('/')[0]!;

/**
 * The folders of src/, lowest first (ARCHITECTURE.md, "Layers"): a folder imports only folders below it.
 * Files at the top of src/ (paths.ts) sit below every folder.
 */
const layers = [
  'model',
  'db',
  'observe',
  'process',
  'config',
  'source',
  'state',
  'target',
  'change-capture',
  'pass',
  'job',
  'watch',
  'distributed',
  'search',
  'commands',
  'cli',
  'library',
];

/** The folder of src/ a file belongs to ('' for a file at the top of src/), or undefined outside src/. */
const srcFolderOf = (file: string) => (file.startsWith('src/') ? (file.split('/').length > 2 ? file.split('/')[1]! : '') : undefined);

/** Every import of one src/ folder from another that is not below it, as "from -> to (why)". */
function againstLayers(imports: ReadonlyMap<string, readonly string[]>, order: readonly string[]): string[] {
  const floor = (folder: string) => (folder === '' ? -1 : order.indexOf(folder));
  const broken: string[] = [];
  for (const [file, targets] of imports) {
    const from = srcFolderOf(file);
    if (from === undefined) continue;
    if (from !== '' && floor(from) < 0) {
      broken.push(`${file}: folder src/${from}/ has no place in the layer order`);
      continue;
    }
    for (const to of targets) {
      const folder = srcFolderOf(to);
      if (folder === undefined || folder === from) continue;
      if (floor(folder) >= floor(from)) broken.push(`${file} -> ${to} (src/${folder}/ is not below src/${from}/)`);
    }
  }
  return broken;
}

/**
 * SQL text (a string that starts a statement) lives in one `*-sql.ts` file per concept, as named
 * statements. These files still hold theirs, to be gathered into their folder's `*-sql.ts`; the list
 * only shrinks (the test fails when a file on it no longer holds SQL, so that it is taken off).
 */
const sqlNotYetNamed = [
  'src/change-capture/waiting-rows.ts',
  'src/distributed/queue-schema.ts',
  'src/state/job-state.ts',
  'src/state/state-store.ts',
  'src/state/watch-record.ts',
  'src/target/stage-table.ts',
  'src/target/target-table.ts',
];

// A statement's first word in a string; not a privilege named in a message (`SELECT, INSERT`, `UPDATE (column)`).
const statementStart =
  /(['"`])\s*(?:(?:SELECT|INSERT INTO|DELETE FROM|CREATE|ALTER|DROP|COMMENT ON|WITH|LISTEN|UNLISTEN|COPY|TRUNCATE|LOCK TABLE|PRAGMA|VACUUM|SET)\b(?!,)|UPDATE\b(?!\s*\())/;
const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
/** The files of a set that hold SQL text outside a `*-sql.ts` file. */
const holdingSql = (files: ReadonlyMap<string, string>) =>
  [...files].filter(([file, source]) => !file.endsWith('-sql.ts') && statementStart.test(withoutComments(source))).map(([file]) => file);

describe('architecture rules', () => {
  it('every relative import names a file that exists', () => {
    const missing = sources.flatMap((file) =>
      importsOf(file)
        .files.filter((to) => !text.has(to))
        .map((to) => `${file} -> ${to}`),
    );
    expect(missing).toEqual([]);
  });

  it('src/ and workers/ never import each other, and common/ imports neither', () => {
    const allowed: Record<string, string[]> = { src: ['src', 'common'], workers: ['workers', 'common'], common: ['common'] };
    const broken = sources.flatMap((file) => {
      const mayImport = allowed[folderOf(file)];
      if (mayImport === undefined) return [];
      return importsOf(file)
        .files.filter((to) => !mayImport.includes(folderOf(to)))
        .map((to) => `${file} -> ${to}`);
    });
    expect(broken).toEqual([]);
  });

  it('only workers/onnx-session.ts imports onnxruntime-node, and only src/state/ imports better-sqlite3', () => {
    const importers = (name: string) => sources.filter((file) => importsOf(file).packages.includes(name));
    // The bench's machine report reads onnxruntime-node's version; the engine never loads it elsewhere.
    expect(importers('onnxruntime-node').filter((file) => !file.startsWith('bench/'))).toEqual(['workers/onnx-session.ts']);
    expect(importers('better-sqlite3').filter((file) => !file.startsWith('src/state/'))).toEqual([]);
    expect(importers('better-sqlite3').length).toBeGreaterThan(0);
  });

  it('worker data and results cross the thread boundary typed, without casts', () => {
    const boundary = ['common/batch-task.ts', 'workers/embed-worker.ts', 'src/pass/worker-pool.ts'];
    const casts = boundary.flatMap((file) =>
      text
        .get(file)!
        .split('\n')
        .filter(
          (line) =>
            !/^\s*(\/\/|\*|\/\*\*|import\b)/.test(line) &&
            /[\w)\]]\s+as\s+(?:[A-Z{(]|unknown\b|any\b|string\b|number\b|boolean\b)/.test(line),
        )
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(casts).toEqual([]);
  });

  it('only the CLI entry (src/cli/) and the process folder (src/process/: exit codes, Ctrl-C) end the process or map errors to exit codes', () => {
    const outside = (pattern: RegExp) =>
      sources
        .filter(
          (file) =>
            folderOf(file) !== 'scripts' && folderOf(file) !== 'bench' && !file.startsWith('src/cli/') && !file.startsWith('src/process/'),
        )
        .filter((file) => pattern.test(text.get(file)!.replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '')));
    expect(outside(/process\.exit\s*\(/)).toEqual([]);
    expect(outside(/\bexitCodeFor\b/)).toEqual([]);
  });

  it('a folder of src/ imports only folders below it in the layer order (type-only imports too)', () => {
    const imports = new Map(sources.map((file) => [file, importsOf(file).files]));
    expect(againstLayers(imports, layers)).toEqual([]);
    const folders = new Set(sources.map(srcFolderOf).filter((folder) => folder !== undefined && folder !== ''));
    expect([...folders].sort()).toEqual([...layers].sort());
  });

  it('the layer check reports an import against the order, and a folder missing from it', () => {
    const fixture = new Map<string, string[]>([
      ['src/db/database.ts', ['src/paths.ts', 'common/errors.ts']],
      ['src/source/row-reader.ts', ['src/db/database.ts', 'src/source/source-table.ts']],
      // A lower folder reaching up: the kind of import that made the folders one cycle.
      ['src/source/source-table.ts', ['src/state/job-state.ts']],
      ['src/state/job-state.ts', ['src/source/row-reader.ts']],
      ['src/extra/thing.ts', ['src/db/database.ts']],
    ]);
    expect(againstLayers(fixture, ['db', 'source', 'state'])).toEqual([
      'src/source/source-table.ts -> src/state/job-state.ts (src/state/ is not below src/source/)',
      'src/extra/thing.ts: folder src/extra/ has no place in the layer order',
    ]);
  });

  it('SQL text lives in *-sql.ts files (none in commands/), apart from the files still listed', () => {
    const srcFiles = new Map([...text].filter(([file]) => file.startsWith('src/')));
    const found = holdingSql(srcFiles);
    expect(found.filter((file) => file.startsWith('src/commands/'))).toEqual([]);
    expect(found.filter((file) => !sqlNotYetNamed.includes(file))).toEqual([]);
    expect(sqlNotYetNamed.filter((file) => !found.includes(file))).toEqual([]);
  });

  it('the SQL check finds a statement in a string, and not in a comment, a message or a *-sql.ts file', () => {
    const fixture = new Map([
      ['src/commands/status.ts', 'const n = await client.query(`SELECT count(*) FROM ${table}`);'],
      ['src/target/target-sql.ts', 'export const dropTableSql = (table: string) => ({ text: `DROP TABLE ${table}` });'],
      ['src/commands/reset.ts', "// DROP TABLE is the user's\nthrow new UsageError(`${display} is a column: drop it with ALTER TABLE`);"],
    ]);
    expect(holdingSql(fixture)).toEqual(['src/commands/status.ts']);
  });

  it('has no import loops', () => {
    const graph = new Map(sources.map((file) => [file, importsOf(file).files.filter((to) => text.has(to))]));
    const loops: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        loops.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const to of graph.get(file)!) visit(to, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(loops).toEqual([]);
  });

  it('no file runs past 250 lines without saying why in its header', () => {
    const tests = walk('test').filter((file) => file.endsWith('.ts'));
    const long = [...sources, ...tests].filter((file) => {
      const lines = readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
      return lines.length > 250 && !/Longer than 250 lines because/.test(lines.slice(0, 20).join('\n'));
    });
    expect(long).toEqual([]);
  });
});
