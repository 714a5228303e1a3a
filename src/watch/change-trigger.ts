/**
 * The opt-in trigger of `embed watch --install-trigger`: after each INSERT, or UPDATE of the id or text
 * column (every column of a --text template), on the source table (once per statement, not per row), `pg_notify` sends the table's oid on one
 * channel; the notification is delivered when the writing transaction commits. Updates of other columns
 * change no vector, so they wake no one (nor do the writes of a `--column` target, which is such a
 * column). DELETE and TRUNCATE need no notification: a deleted row's vector goes with it by the foreign
 * key's cascade (or with the row itself for a `--column` target), and TRUNCATE of the source must cascade
 * to the target. It is a hint only: the watcher still finds the rows by change capture, so a notification
 * lost while it was disconnected loses nothing. The function lives in the table's schema and is shared
 * by the tables watched there; `embed unwatch` drops the trigger, and the function once no trigger uses it.
 */
import type pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import { quoteIdentifier, quoteTable, type TableName } from '../db/table-name.js';
import type { SourceTable } from '../source/source-table.js';
import { textColumnsOf } from '../source/source-text.js';
import {
  createNotifyFunctionSql,
  createTriggerSql,
  dropFunctionSql,
  dropTriggerSql,
  functionExistsSql,
  functionUsersSql,
  tableNamesSql,
  tableOidSql,
  triggerDefinitionSql,
  triggerExistsSql,
  triggerStateSql,
} from './watch-sql.js';
import { withTransaction } from '../../common/transaction.js';

export const notifyChannel = 'embed_watch';
export const triggerName = 'embed_watch';
const functionName = 'embed_watch_notify';
/** pg_trigger.tgtype of AFTER INSERT OR UPDATE FOR EACH STATEMENT: the INSERT (4) and UPDATE (16) bits. */
const wantedType = 4 | 16;

/** What the trigger needs of a table: its quoted, schema-qualified name, its schema and the columns it watches. */
export type WatchedTable = Pick<SourceTable, 'sql' | 'schema' | 'idColumn' | 'text'>;

function functionSql(source: Pick<SourceTable, 'schema'>): string {
  return `${quoteIdentifier(source.schema)}.${quoteIdentifier(functionName)}`;
}

function watchedColumns(source: WatchedTable): string[] {
  return [...new Set([source.idColumn, ...textColumnsOf(source.text)])];
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
  const state = triggerStateSql(source.sql, triggerName, wantedType, `${functionSql(source)}()`, watchedColumns(source));
  const result = await client.query<{ current: boolean }>(state.text, state.values);
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
  await withTransaction(client, async () => {
    const exists = functionExistsSql(`${functionSql(source)}()`);
    if ((await client.query(exists.text, exists.values)).rowCount === 0) {
      await client.query(createNotifyFunctionSql(functionSql(source), notifyChannel).text);
      changes.push(`created function ${functionSql(source)}() (sends pg_notify('${notifyChannel}', <table oid>))`);
    }
    const definition = triggerDefinitionSql(source.sql, triggerName);
    const older = await client.query<{ definition: string }>(definition.text, definition.values);
    if (older.rows[0]) {
      await client.query(dropTriggerSql(source.sql, triggerName).text);
      changes.push(
        `dropped trigger ${quoteIdentifier(triggerName)} on ${source.sql} of an earlier version (was: ${older.rows[0].definition})`,
      );
    }
    const events = triggerEvents(source);
    await client.query(createTriggerSql(source.sql, triggerName, events, functionSql(source)).text);
    changes.push(
      `created trigger ${quoteIdentifier(triggerName)} on ${source.sql}: ${events}, FOR EACH STATEMENT, calls ${functionSql(source)}()`,
    );
  });
  return changes;
}

/** Drops the trigger, and its function when no other trigger uses it; returns what changed. */
export async function removeChangeTrigger(client: pg.ClientBase, source: Pick<SourceTable, 'sql' | 'schema'>): Promise<string[]> {
  const changes: string[] = [];
  await withTransaction(client, async () => {
    const exists = triggerExistsSql(source.sql, triggerName);
    if ((await client.query(exists.text, exists.values)).rowCount === 1) {
      await client.query(dropTriggerSql(source.sql, triggerName).text);
      changes.push(`dropped trigger ${quoteIdentifier(triggerName)} on ${source.sql}`);
    }
    const users = functionUsersSql(`${functionSql(source)}()`);
    const fn = await client.query<{ users: string }>(users.text, users.values);
    if (fn.rows[0] && Number(fn.rows[0].users) === 0) {
      await client.query(dropFunctionSql(functionSql(source)).text);
      changes.push(`dropped function ${functionSql(source)}()`);
    }
  });
  return changes;
}

/** A table named by the user, as the catalog spells it (quoted, schema-qualified); fails when it does not exist. */
export async function existingTable(client: pg.ClientBase, table: TableName): Promise<Pick<SourceTable, 'sql' | 'schema'>> {
  const names = tableNamesSql(quoteTable(table));
  const row = (await client.query<{ schema: string; name: string }>(names.text, names.values)).rows[0];
  if (!row) throw new DatabaseError(`table ${quoteTable(table)} does not exist; check the name and schema`, { code: 'SOURCE' });
  return { sql: `${quoteIdentifier(row.schema)}.${quoteIdentifier(row.name)}`, schema: row.schema };
}

/** The table's oid, as the trigger's notifications carry it. */
export async function tableOid(client: pg.ClientBase, source: Pick<SourceTable, 'sql'>): Promise<string> {
  const oid = tableOidSql(source.sql);
  const result = await client.query<{ oid: string }>(oid.text, oid.values);
  return result.rows[0]!.oid;
}
