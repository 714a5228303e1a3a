/**
 * The trigger of `embed watch --install-trigger` (real CLI, the test PostgreSQL, the test LISTENing on
 * the channel itself): it notifies on an insert and on an update of the text column, not on an update of
 * another column or on a delete; the trigger of an earlier version (any column's update) is replaced,
 * saying so, and `embed unwatch` still removes it.
 */
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { startWatcher } from '../helpers/watcher.js';

describe('embed watch --install-trigger', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-watch-trigger-');
  const client = () => fixture.db.client;

  const installTrigger = async (table: string) => {
    const watcher = startWatcher([
      table,
      '--install-trigger',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, `${table}.sqlite`),
    ]);
    await watcher.waitFor('caught-up');
    const result = await watcher.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(0);
    return watcher.events.filter((e) => e.event === 'trigger').map((e) => e.message);
  };

  /** The notifications `write` sends on the watcher's channel, seen by a session of the test's own. */
  const notificationsOf = async (write: string): Promise<number> => {
    const listener = new pg.Client({ connectionString: fixture.db.url });
    await listener.connect();
    try {
      let received = 0;
      listener.on('notification', (message) => {
        if (message.channel === 'embed_watch') received++;
      });
      await listener.query('LISTEN embed_watch');
      await client().query(write);
      // A notification is delivered at the writer's commit; a round trip on the listener flushes it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await listener.query('SELECT 1');
      return received;
    } finally {
      await listener.end();
    }
  };

  it('notifies on an insert and on an update of the text column only', async () => {
    await client().query(`CREATE TABLE noted (id bigserial PRIMARY KEY, text text, views int NOT NULL DEFAULT 0)`);
    await client().query(`INSERT INTO noted (text) SELECT 'row ' || i FROM generate_series(1, 20) AS i`);
    expect(await installTrigger('noted')).toEqual([
      `created function "public"."embed_watch_notify"() (sends pg_notify('embed_watch', <table oid>))`,
      `created trigger "embed_watch" on "public"."noted": AFTER INSERT OR UPDATE OF "id", "text", FOR EACH STATEMENT, calls "public"."embed_watch_notify"()`,
    ]);
    expect(await notificationsOf(`UPDATE noted SET views = views + 1`)).toBe(0);
    expect(await notificationsOf(`DELETE FROM noted WHERE id = 20`)).toBe(0);
    expect(await notificationsOf(`UPDATE noted SET text = text || ' (edited)' WHERE id = 1`)).toBe(1);
    expect(await notificationsOf(`INSERT INTO noted (text) VALUES ('new')`)).toBe(1);
    // Once per statement, not per row.
    expect(await notificationsOf(`UPDATE noted SET text = text || '!', views = 2`)).toBe(1);
  });

  it("replaces an earlier version's trigger, which fired on any column's update, and embed unwatch removes the new one", async () => {
    await client().query(
      `CREATE SCHEMA older; CREATE TABLE older.upgraded (id bigserial PRIMARY KEY, text text, views int NOT NULL DEFAULT 0)`,
    );
    await client().query(`INSERT INTO older.upgraded (text) SELECT 'row ' || i FROM generate_series(1, 20) AS i`);
    // As the earlier version created them.
    await client().query(`CREATE FUNCTION older.embed_watch_notify() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN PERFORM pg_notify('embed_watch', TG_RELID::text); RETURN NULL; END $body$`);
    await client().query(
      `CREATE TRIGGER embed_watch AFTER INSERT OR UPDATE ON older.upgraded FOR EACH STATEMENT EXECUTE FUNCTION older.embed_watch_notify()`,
    );
    expect(await notificationsOf(`UPDATE older.upgraded SET views = 1`)).toBe(1);
    // A watcher started without --install-trigger uses it, and says how to replace it.
    const plain = startWatcher([
      'older.upgraded',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'plain.sqlite'),
    ]);
    expect((await plain.waitFor('start')).mode).toBe('trigger');
    expect((await plain.waitFor('note')).message).toBe(
      `trigger embed_watch on "older"."upgraded" is an earlier version's, woken by updates of any column: embed watch --install-trigger replaces it`,
    );
    expect((await plain.stop('SIGTERM')).code).toBe(0);

    expect(await installTrigger('older.upgraded')).toEqual([
      `dropped trigger "embed_watch" on "older"."upgraded" of an earlier version (was: CREATE TRIGGER embed_watch AFTER INSERT OR UPDATE ON older.upgraded FOR EACH STATEMENT EXECUTE FUNCTION older.embed_watch_notify())`,
      `created trigger "embed_watch" on "older"."upgraded": AFTER INSERT OR UPDATE OF "id", "text", FOR EACH STATEMENT, calls "older"."embed_watch_notify"()`,
    ]);
    expect(await notificationsOf(`UPDATE older.upgraded SET views = 2`)).toBe(0);
    expect(await notificationsOf(`UPDATE older.upgraded SET text = 'edited' WHERE id = 3`)).toBe(1);
    // Installed as it should be: a second --install-trigger changes nothing.
    expect(await installTrigger('older.upgraded')).toEqual([`trigger embed_watch is already on "older"."upgraded"; nothing changed`]);

    const removed = await runCli(['unwatch', 'older.upgraded', '--database-url', fixture.db.url]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`dropped trigger "embed_watch" on "older"."upgraded"\ndropped function "older"."embed_watch_notify"()\n`);
    expect(await notificationsOf(`UPDATE older.upgraded SET text = 'edited again' WHERE id = 3`)).toBe(0);
  });
});
