/** What the model generator's tests share: throwaway folders, and the hashes of a generated folder's files. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A maker of fresh temporary folders, all removed when the test file ends. */
export function useTemporaryDirs(prefix: string): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** sha256 of every file under `folder`, keyed by its path relative to `folder` ('/'-separated). */
export async function fileHashes(folder: string, prefix = ''): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const entry of await readdir(join(folder, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(hashes, await fileHashes(folder, relative));
    else
      hashes[relative] = createHash('sha256')
        .update(await readFile(join(folder, relative)))
        .digest('hex');
  }
  return hashes;
}
