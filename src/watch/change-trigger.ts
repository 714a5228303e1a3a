/**
 * The opt-in trigger of `embed watch --install-trigger`: after each INSERT or UPDATE statement on the
 * source table (once per statement, not per row), `pg_notify` sends the table's oid on one channel; the
 * notification is delivered when the writing transaction commits. It is a hint only: the watcher still
 * finds the rows by change capture, so a notification lost while it was disconnected loses nothing.
 * The function lives in the table's schema and is shared by the tables watched there; `embed unwatch`
 * drops the trigger, and the function once no trigger uses it.
 */
import type pg from 'pg';
import { quoteIdentifier } from '../db/table-name.js';
import type { SourceTable } from '../source/source-table.js';

export const notifyChannel = 'embed_watch';
export const triggerName = 'embed_watch';
const functionName = 'embed_watch_notify';

/** What the trigger needs of a table: its quoted, schema-qualified name and its schema. */
export type WatchedTable = Pick<SourceTable, 'sql' | 'schema'>;

function functionSql(source: WatchedTable): string {
  return `${quoteIdentifier(source.schema)}.${quoteIdentifier(functionName)}`;
}

/** Whether the table has the trigger, enabled. */
export async function hasChangeTrigger(client: pg.ClientBase, source: WatchedTable): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal AND tgenabled <> 'D'`,
    [source.sql, triggerName],
  );
  return result.rowCount === 1;
}

/** Adds the trigger (and its function) if missing; returns the lines saying what changed, none if nothing did. */
export async function installChangeTrigger(client: pg.ClientBase, source: WatchedTable): Promise<string[]> {
  if (await hasChangeTrigger(client, source)) return [];
  const changes: string[] = [];
  await client.query('BEGIN');
  try {
    const exists = await client.query(`SELECT 1 FROM pg_proc WHERE oid = to_regprocedure($1)`, [`${functionSql(source)}()`]);
    if (exists.rowCount === 0) {
      await client.query(
        `CREATE FUNCTION ${functionSql(source)}() RETURNS trigger LANGUAGE plpgsql AS $body$
         BEGIN
           PERFORM pg_notify('${notifyChannel}', TG_RELID::text);
           RETURN NULL;
         END
         $body$`,
      );
      changes.push(`created function ${functionSql(source)}() (sends pg_notify('${notifyChannel}', <table oid>))`);
    }
    await client.query(`DROP TRIGGER IF EXISTS ${quoteIdentifier(triggerName)} ON ${source.sql}`);
    await client.query(
      `CREATE TRIGGER ${quoteIdentifier(triggerName)} AFTER INSERT OR UPDATE ON ${source.sql}
         FOR EACH STATEMENT EXECUTE FUNCTION ${functionSql(source)}()`,
    );
    changes.push(`created trigger ${quoteIdentifier(triggerName)} on ${source.sql}: AFTER INSERT OR UPDATE, FOR EACH STATEMENT, calls ${functionSql(source)}()`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return changes;
}

/** Drops the trigger, and its function when no other trigger uses it; returns what changed. */
export async function removeChangeTrigger(client: pg.ClientBase, source: WatchedTable): Promise<string[]> {
  const changes: string[] = [];
  await client.query('BEGIN');
  try {
    const trigger = await client.query(`SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal`, [
      source.sql,
      triggerName,
    ]);
    if (trigger.rowCount === 1) {
      await client.query(`DROP TRIGGER ${quoteIdentifier(triggerName)} ON ${source.sql}`);
      changes.push(`dropped trigger ${quoteIdentifier(triggerName)} on ${source.sql}`);
    }
    const fn = await client.query<{ users: string }>(
      `SELECT (SELECT count(*) FROM pg_trigger WHERE tgfoid = p.oid) AS users FROM pg_proc p WHERE p.oid = to_regprocedure($1)`,
      [`${functionSql(source)}()`],
    );
    if (fn.rows[0] && Number(fn.rows[0].users) === 0) {
      await client.query(`DROP FUNCTION ${functionSql(source)}()`);
      changes.push(`dropped function ${functionSql(source)}()`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return changes;
}

/** The table's oid, as the trigger's notifications carry it. */
export async function tableOid(client: pg.ClientBase, source: WatchedTable): Promise<string> {
  const result = await client.query<{ oid: string }>(`SELECT to_regclass($1)::oid::text AS oid`, [source.sql]);
  return result.rows[0]!.oid;
}
