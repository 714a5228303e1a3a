/** Where results go: bench/results/<kind>-<timestamp>.<ext> (git-ignored). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';

export const resultsDir = path.join(packageRoot, 'bench', 'results');

/** A file name stem shared by a run's JSON and chart. */
export function resultStem(kind: string, at = new Date()): string {
  return `${kind}-${at
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z')}`;
}

export function writeResult(dir: string, name: string, content: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
