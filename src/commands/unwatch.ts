/**
 * `embed unwatch <table>`: removes what `embed watch --install-trigger` added (the trigger, and its
 * function once no table uses it) and says exactly what it dropped. Watchers on the table go back to
 * polling the next time they start.
 */
import { EXIT } from '../process/exit-codes.js';
import { parseTableName, quoteIdentifier, quoteTable } from '../db/table-name.js';
import { connect, connectionConfig } from '../db/database.js';
import { DatabaseError } from '../../common/errors.js';
import { removeChangeTrigger } from '../watch/change-trigger.js';

export interface UnwatchOptions {
  table: string;
  databaseUrl?: string;
}

export async function unwatch(options: UnwatchOptions): Promise<number> {
  const table = parseTableName(options.table);
  const client = await connect(connectionConfig(options.databaseUrl ?? (process.env.DATABASE_URL || undefined)));
  try {
    const found = await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [quoteTable(table)],
    );
    const row = found.rows[0];
    if (!row) throw new DatabaseError(`table ${quoteTable(table)} does not exist; check the name and schema`, { code: 'SOURCE' });
    const sql = `${quoteIdentifier(row.schema)}.${quoteIdentifier(row.name)}`;
    const changes = await removeChangeTrigger(client, { sql, schema: row.schema });
    process.stdout.write(changes.length === 0 ? `nothing to remove: ${sql} has no embed_watch trigger\n` : changes.map((line) => `${line}\n`).join(''));
    return EXIT.done;
  } finally {
    await client.end().catch(() => undefined);
  }
}
