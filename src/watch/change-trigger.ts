/**
 * The opt-in trigger of `embed watch --install-trigger`: after each INSERT, or UPDATE of the id or text
 * column, on the source table (once per statement, not per row), `pg_notify` sends the table's oid on one
 * channel; the notification is delivered when the writing transaction commits. Updates of other columns
 * change no vector, so they wake no one (nor do the writes of a `--column` target, which is such a
 * column). DELETE and TRUNCATE need no notification: a deleted row's vector goes with it by the foreign
 * key's cascade (or with the row itself for a `--column` target), and TRUNCATE of the source must cascade
 * to the target. It is a hint only: the watcher still finds the rows by change capture, so a notification
 * lost while it was disconnected loses nothing. The function lives in the table's schema and is shared
 * by the tables watched there; `embed unwatch` drops the trigger, and the function once no trigger uses it.
 */
import type pg from 'pg';
import { quoteIdentifier } from '../db/table-name.js';
import type { SourceTable } from '../source/source-table.js';

export const notifyChannel = 'embed_watch';
export const triggerName = 'embed_watch';
const functionName = 'embed_watch_notify';
/** pg_trigger.tgtype of AFTER INSERT OR UPDATE FOR EACH STATEMENT: the INSERT (4) and UPDATE (16) bits. */
const wantedType = 4 | 16;

/** What the trigger needs of a table: its quoted, schema-qualified name, its schema and the columns it watches. */
export type WatchedTable = Pick<SourceTable, 'sql' | 'schema' | 'idColumn' | 'textColumn'>;

function functionSql(source: Pick<SourceTable, 'schema'>): string {
  return `${quoteIdentifier(source.schema)}.${quoteIdentifier(functionName)}`;
}

function watchedColumns(source: WatchedTable): string[] {
  return source.idColumn === source.textColumn ? [source.idColumn] : [source.idColumn, source.textColumn];
}

/** The trigger's events as created and printed: `AFTER INSERT OR UPDATE OF "id", "text"`. */
function triggerEvents(source: WatchedTable): string {
  return `AFTER INSERT OR UPDATE OF ${watchedColumns(source).map(quoteIdentifier).join(', ')}`;
}

/**
 * Whether the table has the trigger, enabled: 'current' as this version creates it, 'older' when it
 * fires on other events or columns (an earlier version fired on every column's update), else 'none'.
 */
export async function changeTriggerState(client: pg.ClientBase, source: WatchedTable): Promise<'none' | 'current' | 'older'> {
  const result = await client.query<{ current: boolean }>(
    `SELECT t.tgtype = $3 AND t.tgfoid = to_regprocedure($4)
            AND (SELECT array_agg(a ORDER BY a) FROM unnest(t.tgattr::int2[]) AS a)
              = (SELECT array_agg(attnum ORDER BY attnum) FROM pg_attribute WHERE attrelid = t.tgrelid AND attname = ANY($5::text[])) AS current
       FROM pg_trigger t
      WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2 AND NOT t.tgisinternal AND t.tgenabled <> 'D'`,
    [source.sql, triggerName, wantedType, `${functionSql(source)}()`, watchedColumns(source)],
  );
  const row = result.rows[0];
  return row === undefined ? 'none' : row.current ? 'current' : 'older';
}

/** Whether the table has the trigger, enabled (of this version or an older one). */
export async function hasChangeTrigger(client: pg.ClientBase, source: WatchedTable): Promise<boolean> {
  return (await changeTriggerState(client, source)) !== 'none';
}

/**
 * Adds the trigger (and its function) if missing, or replaces an older one; returns the lines saying
 * what changed, none if nothing did.
 */
export async function installChangeTrigger(client: pg.ClientBase, source: WatchedTable): Promise<string[]> {
  if ((await changeTriggerState(client, source)) === 'current') return [];
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
    const older = await client.query<{ definition: string }>(
      `SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal`,
      [source.sql, triggerName],
    );
    if (older.rows[0]) {
      await client.query(`DROP TRIGGER ${quoteIdentifier(triggerName)} ON ${source.sql}`);
      changes.push(`dropped trigger ${quoteIdentifier(triggerName)} on ${source.sql} of an earlier version (was: ${older.rows[0].definition})`);
    }
    const events = triggerEvents(source);
    await client.query(`CREATE TRIGGER ${quoteIdentifier(triggerName)} ${events} ON ${source.sql} FOR EACH STATEMENT EXECUTE FUNCTION ${functionSql(source)}()`);
    changes.push(`created trigger ${quoteIdentifier(triggerName)} on ${source.sql}: ${events}, FOR EACH STATEMENT, calls ${functionSql(source)}()`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return changes;
}

/** Drops the trigger, and its function when no other trigger uses it; returns what changed. */
export async function removeChangeTrigger(client: pg.ClientBase, source: Pick<SourceTable, 'sql' | 'schema'>): Promise<string[]> {
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
export async function tableOid(client: pg.ClientBase, source: Pick<SourceTable, 'sql'>): Promise<string> {
  const result = await client.query<{ oid: string }>(`SELECT to_regclass($1)::oid::text AS oid`, [source.sql]);
  return result.rows[0]!.oid;
}
