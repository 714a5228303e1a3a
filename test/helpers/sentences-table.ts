/**
 * For a describe block: its own database holding `sentences` with `rows` rows, and a temp folder for state
 * files, both removed after the block's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTextTable } from './fixtures.js';

export interface SentencesTable {
  /** Created in beforeAll. */
  readonly db: TestDatabase;
  readonly dir: string;
}

export function useSentencesTable(rows: number, folderPrefix: string): SentencesTable {
  const dir = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    await createTextTable(database.client, 'sentences', rows);
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    get db() {
      if (!database) throw new Error('the test database is created in beforeAll');
      return database;
    },
  };
}
