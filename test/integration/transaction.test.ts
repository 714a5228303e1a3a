/**
 * withTransaction against a real server: the work's writes land together or not at all, the work's
 * own error is the one thrown, and the isolation level asked for is the transaction's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../dist/common/transaction.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('withTransaction', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.client.query('CREATE TABLE notes (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await db.drop();
  });

  const ids = async () => (await db.client.query<{ id: number }>('SELECT id FROM notes ORDER BY id')).rows.map((r) => r.id);

  it('commits what the work wrote and returns its result', async () => {
    const result = await withTransaction(db.client, async () => {
      await db.client.query('INSERT INTO notes VALUES (1), (2)');
      return 'written';
    });
    expect(result).toBe('written');
    expect(await ids()).toEqual([1, 2]);
  });

  it('rolls back every write of a work that throws, and throws its error', async () => {
    const failing = withTransaction(db.client, async () => {
      await db.client.query('INSERT INTO notes VALUES (3)');
      await db.client.query('INSERT INTO notes VALUES (1)');
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    expect(await ids()).toEqual([1, 2]);
    // The connection is out of the failed transaction: the next statement runs.
    expect((await db.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs at the level asked for, and at the server default otherwise', async () => {
    const level = () => db.client.query<{ level: string }>(`SELECT current_setting('transaction_isolation') AS level`);
    expect((await withTransaction(db.client, level, 'repeatable read')).rows[0]!.level).toBe('repeatable read');
    await db.client.query(`SET default_transaction_isolation = 'serializable'`);
    expect((await withTransaction(db.client, level)).rows[0]!.level).toBe('serializable');
    await db.client.query('RESET default_transaction_isolation');
  });
});
