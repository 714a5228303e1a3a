/**
 * For a describe block: its own database holding `sentences` with `rows` rows, and a temp folder for state
 * files, both removed after the block's tests.
 */
import { useTestDatabase, type TestDatabaseFixture } from './database.js';
import { createTextTable } from './fixtures.js';

export type SentencesTable = TestDatabaseFixture;

export function useSentencesTable(rows: number, folderPrefix: string): SentencesTable {
  return useTestDatabase(folderPrefix, (db) => createTextTable(db.client, 'sentences', rows));
}
