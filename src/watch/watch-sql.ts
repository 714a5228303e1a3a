/** The watcher's statements: the change trigger and its function, the table's shape, LISTEN, and the server's settings. */
import type { Statement } from '../db/statement.js';
import { quoteIdentifier } from '../db/table-name.js';

/** Whether the trigger on the table is the one this version creates (row `current`), none when it has none. */
export function triggerStateSql(
  table: string,
  triggerName: string,
  wantedType: number,
  functionSignature: string,
  columns: string[],
): Statement {
  return {
    text: `SELECT t.tgtype = $3 AND t.tgfoid = to_regprocedure($4)
            AND (SELECT array_agg(a ORDER BY a) FROM unnest(t.tgattr::int2[]) AS a)
              = (SELECT array_agg(attnum ORDER BY attnum) FROM pg_attribute WHERE attrelid = t.tgrelid AND attname = ANY($5::text[])) AS current
       FROM pg_trigger t
      WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2 AND NOT t.tgisinternal AND t.tgenabled <> 'D'`,
    values: [table, triggerName, wantedType, functionSignature, columns],
  };
}

export function functionExistsSql(functionSignature: string): Statement {
  return { text: `SELECT 1 FROM pg_proc WHERE oid = to_regprocedure($1)`, values: [functionSignature] };
}

/** The trigger function: notifies `channel` with the table's oid. */
export function createNotifyFunctionSql(functionSql: string, notifyChannel: string): Statement {
  return {
    text: `CREATE FUNCTION ${functionSql}() RETURNS trigger LANGUAGE plpgsql AS $body$
         BEGIN
           PERFORM pg_notify('${notifyChannel}', TG_RELID::text);
           RETURN NULL;
         END
         $body$`,
  };
}

export function triggerDefinitionSql(table: string, triggerName: string): Statement {
  return {
    text: `SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal`,
    values: [table, triggerName],
  };
}

export function dropTriggerSql(table: string, triggerName: string): Statement {
  return { text: `DROP TRIGGER ${quoteIdentifier(triggerName)} ON ${table}` };
}

export function createTriggerSql(table: string, triggerName: string, events: string, functionSql: string): Statement {
  return {
    text: `CREATE TRIGGER ${quoteIdentifier(triggerName)} ${events} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${functionSql}()`,
  };
}

export function triggerExistsSql(table: string, triggerName: string): Statement {
  return {
    text: `SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal`,
    values: [table, triggerName],
  };
}

/** How many triggers call the function (row `users`), none when it does not exist. */
export function functionUsersSql(functionSignature: string): Statement {
  return {
    text: `SELECT (SELECT count(*) FROM pg_trigger WHERE tgfoid = p.oid) AS users FROM pg_proc p WHERE p.oid = to_regprocedure($1)`,
    values: [functionSignature],
  };
}

export function dropFunctionSql(functionSql: string): Statement {
  return { text: `DROP FUNCTION ${functionSql}()` };
}

export function tableOidSql(table: string): Statement {
  return { text: `SELECT to_regclass($1)::oid::text AS oid`, values: [table] };
}

/** The table's schema and name as the catalog spells them, none when it does not exist. */
export function tableNamesSql(table: string): Statement {
  return {
    text: `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
    values: [table],
  };
}

/** The table's oid and the types of the columns named, in their order (`types`, null for a column gone). */
export function tableShapeSql(table: string, columns: string[]): Statement {
  return {
    text: `SELECT c.oid::text AS oid,
            ARRAY(SELECT (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = c.oid AND attname = u.name AND NOT attisdropped)
                    FROM unnest($2::text[]) WITH ORDINALITY AS u(name, n) ORDER BY u.n) AS types
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    values: [table, columns],
  };
}

export function listenSql(channel: string): Statement {
  return { text: `LISTEN ${quoteIdentifier(channel)}` };
}

/** Whether the server records commit times (row `on`), which the lag needs. */
export function commitTimestampsSql(): Statement {
  return { text: `SELECT current_setting('track_commit_timestamp') = 'on' AS on` };
}
