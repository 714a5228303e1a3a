/**
 * Builds a folder under a temporary name next to its final place and renames it into place, so that no
 * reader, and no other process generating the same folder at the same time, ever sees it half-written.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Enough for any real interleaving of a handful of processes; more means something else is wrong. */
const MAX_SWAP_ATTEMPTS = 5;

const hasCode = (error: unknown, ...codes: string[]): boolean =>
  error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * `build` fills a fresh empty folder; it then becomes `target`. When `target` already exists,
 * `keepExisting(target)` decides whether to keep it (another process got there first) or replace it.
 */
export async function buildFolderAtomically(
  target: string,
  build: (folder: string) => Promise<void>,
  keepExisting: (existing: string) => Promise<boolean>,
): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  // Same parent, so the final rename stays on one file system and is atomic. Not mkdtemp: its 0700 mode
  // would become the mode of the final folder.
  const temporary = join(parent, `.${basename(target)}.tmp-${randomUUID()}`);
  await mkdir(temporary);
  try {
    await build(temporary);
    for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
      try {
        await rename(temporary, target);
        return;
      } catch (error) {
        if (!hasCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
      }
      if (await keepExisting(target)) return;
      // A directory cannot be renamed over a non-empty one: move the old one aside, then delete it.
      const discarded = join(parent, `.${basename(target)}.old-${randomUUID()}`);
      try {
        await rename(target, discarded);
      } catch (error) {
        if (!hasCode(error, 'ENOENT')) throw error;
      }
      await rm(discarded, { recursive: true, force: true });
    }
    throw new Error(`could not move ${temporary} to ${target}: other processes kept replacing it`);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}
