/** One transaction on one connection, for the main thread and the workers alike. */
import type pg from 'pg';

/**
 * Runs `work` in a transaction: committed when it returns, rolled back when it throws. The work's error
 * is the one thrown: on a lost connection the ROLLBACK fails too, and says less.
 */
export async function withTransaction<T>(client: pg.ClientBase, work: () => Promise<T>, isolation?: 'repeatable read'): Promise<T> {
  // Without a level, the server's default_transaction_isolation holds, as it does for every other statement.
  await client.query(isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
