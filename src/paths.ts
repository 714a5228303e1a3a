/** Where the project's own folders are, wherever the compiled code runs from (src/ or dist/src/). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Local model folders: EMBED_MODELS_DIR, else the project's models/. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.EMBED_MODELS_DIR ?? path.join(packageRoot, 'models'));
}

/** The compiled piscina worker. */
export const workerFile = path.join(packageRoot, 'dist', 'workers', 'embed-worker.js');
