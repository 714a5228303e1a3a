/**
 * A native module (better-sqlite3's, or any other compiled for one Node.js version) loaded by another
 * Node.js: after switching Node versions the user meets Node's multi-line message, whose first line
 * names only a file. This turns it into one line with the command that rebuilds the module. Used where
 * errors become one line: the entry point and a worker whose model cannot load.
 */

// Node's own wording (src/node_binding.cc), lines joined by whitespace.
const mismatch =
  /The module '([^']+)'\s+was compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)\.\s+This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/;

/** How deep to follow `cause`: the loader's error is wrapped once or twice (state file, worker start). */
const causeDepth = 5;

/**
 * The one-line explanation when `error` (or an error it wraps) is Node refusing a native module built
 * for another Node.js version; undefined for any other error.
 */
export function explainNativeModuleMismatch(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < causeDepth && current instanceof Error; depth++) {
    const found = mismatch.exec(current.message);
    if (found) return explain(found[1]!, found[2]!, found[3]!);
    current = current.cause;
  }
  return undefined;
}

function explain(file: string, builtFor: string, needed: string): string {
  const owner = packageOwning(file);
  const rebuild = owner ? `run "npm rebuild ${owner.name}" in ${owner.root}` : `run "npm rebuild" where embed is installed`;
  return (
    `${owner?.name ?? file} was built for another Node.js version (NODE_MODULE_VERSION ${builtFor}; ` +
    `this Node.js ${process.version} needs ${needed}): ${rebuild}, then run the same command again`
  );
}

/** The package a file belongs to (the last node_modules in its path) and the folder to rebuild it from. */
function packageOwning(file: string): { name: string; root: string } | undefined {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 1 || at + 1 >= parts.length) return undefined;
  const scoped = parts[at + 1]!.startsWith('@') && at + 2 < parts.length;
  const name = scoped ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]!;
  const separator = file.includes('\\') && !file.includes('/') ? '\\' : '/';
  const root = parts.slice(0, at).join(separator) || separator;
  return { name, root };
}
