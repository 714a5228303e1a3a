/**
 * `embed unwatch <table>`: removes what `embed watch --install-trigger` added (the trigger, and its
 * function once no table uses it) and says exactly what it dropped. Watchers on the table go back to
 * polling the next time they start.
 */
import { EXIT } from '../process/exit-codes.js';
import { parseTableName } from '../db/table-name.js';
import { connect, connectionConfig } from '../db/database.js';
import { existingTable, removeChangeTrigger } from '../watch/change-trigger.js';

export interface UnwatchOptions {
  table: string;
  databaseUrl?: string;
}

export async function unwatch(options: UnwatchOptions): Promise<number> {
  const table = parseTableName(options.table);
  const client = await connect(connectionConfig(options.databaseUrl ?? (process.env.DATABASE_URL || undefined)));
  try {
    const { sql, schema } = await existingTable(client, table);
    const changes = await removeChangeTrigger(client, { sql, schema });
    process.stdout.write(
      changes.length === 0 ? `nothing to remove: ${sql} has no embed_watch trigger\n` : changes.map((line) => `${line}\n`).join(''),
    );
    return EXIT.done;
  } finally {
    await client.end().catch(() => undefined);
  }
}
