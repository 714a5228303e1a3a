/**
 * The change-capture rules against a real server, below the CLI: which row versions a snapshot taken at
 * the start of a pass could not see (late commits, subtransactions, rows frozen since), what the server's
 * md5 comparison leaves of them, and when a run must compare every row instead or need not read any.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCapture } from '../../dist/src/change-capture/capture-plan.js';
import { takePassSnapshot, type PassSnapshot } from '../../dist/src/source/pass-snapshot.js';
import { clearBlankAndCount, clearBlankSinceSql, countWaiting } from '../../dist/src/change-capture/waiting-rows.js';
import { writtenSinceSql } from '../../dist/src/change-capture/written-since.js';
import { describeSource, type SourceTable } from '../../dist/src/source/source-table.js';
import { describeTarget, type TargetInfo } from '../../dist/src/target/target-table.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const model = { name: 'tiny', fileHash: 'abcdef0123456789' };
const label = 'tiny@abcdef012345';

describe('change capture on the server', () => {
  let db: TestDatabase;
  const sessions: pg.Client[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.end().catch(() => undefined)));
    await db.drop();
  });

  const session = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    sessions.push(client);
    return client;
  };
  const closeSession = async (client: pg.Client) => {
    sessions.splice(sessions.indexOf(client), 1);
    await client.end();
  };

  /** A source table and its side table, described as the engine describes them. */
  const tables = async (name: string, idType = 'bigserial'): Promise<{ source: SourceTable; target: TargetInfo }> => {
    const targetType = idType === 'bigserial' ? 'bigint' : idType;
    await db.client.query(`CREATE TABLE ${name} (id ${idType} PRIMARY KEY, text text, tag int)`);
    await db.client.query(
      `CREATE TABLE ${name}_embeddings (id ${targetType} PRIMARY KEY REFERENCES ${name}(id) ON DELETE CASCADE, model text NOT NULL, content_hash text NOT NULL)`,
    );
    const source = await describeSource(db.client, { name }, 'id', 'text');
    return { source, target: describeTarget(source, model, {}) };
  };
  /** What a pass does to the rows it can see: the target holds them with their text's hash. */
  const embedVisible = (name: string) =>
    db.client.query(
      `INSERT INTO ${name}_embeddings SELECT id, $1, md5(convert_to(text, 'UTF8')) FROM ${name}
        ON CONFLICT (id) DO UPDATE SET content_hash = excluded.content_hash`,
      [label],
    );
  const writtenSince = async (name: string, since: PassSnapshot) =>
    (await db.client.query<{ text: string }>(`SELECT text FROM ${name} AS src WHERE ${writtenSinceSql(since)} ORDER BY text`)).rows.map(
      (r) => r.text,
    );

  it('finds a row committed after the pass by a transaction that was open when it started', async () => {
    const { source, target } = await tables('late');
    const writer = await session();
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO late (text) VALUES ('committed late')`);
    const snapshot = (await takePassSnapshot(db.client, source))!;
    await db.client.query(`INSERT INTO late (text) SELECT 'row ' || i FROM generate_series(1, 300) AS i`);
    await embedVisible('late');
    await writer.query('COMMIT');

    expect(await countWaiting(db.client, source, target, snapshot)).toEqual({ new: 0, late: 1, changed: 0 });
    // Its id is below every id the pass embedded: a watermark alone would never read it again.
    const ids = await db.client.query<{ late: string; max: string }>(
      `SELECT (SELECT id FROM late WHERE text = 'committed late')::text AS late, (SELECT max(id) FROM late_embeddings)::text AS max`,
    );
    expect(BigInt(ids.rows[0]!.late)).toBeLessThan(BigInt(ids.rows[0]!.max));
  });

  it('finds a row written in a subtransaction, which the snapshot wrongly reports as visible', async () => {
    const { source, target } = await tables('sub');
    const writer = await session();
    await writer.query('BEGIN');
    await writer.query('SELECT pg_current_xact_id()');
    await writer.query('SAVEPOINT inner_part');
    await writer.query(`INSERT INTO sub (text) VALUES ('from a subtransaction')`);
    // A later commit moves the snapshot's xmax past the subtransaction's id.
    await db.client.query(`INSERT INTO sub (text) VALUES ('before the pass')`);
    const snapshot = (await takePassSnapshot(db.client, source))!;
    const exact = await db.client.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
    await embedVisible('sub');
    await writer.query('COMMIT');

    // pg_current_snapshot() lists top-level transactions only: the row's xmin passes for visible.
    const trap = await db.client.query<{ visible: boolean }>(
      `SELECT pg_visible_in_snapshot((SELECT xmin FROM sub WHERE text = 'from a subtransaction')::text::xid8, $1::pg_snapshot) AS visible`,
      [exact.rows[0]!.snapshot],
    );
    expect(trap.rows[0]!.visible).toBe(true);
    // Taken all the same, with the rows of every transaction from the snapshot's xmin on.
    expect(await writtenSince('sub', snapshot)).toContain('from a subtransaction');
    expect(await countWaiting(db.client, source, target, snapshot)).toEqual({ new: 0, late: 1, changed: 0 });
  });

  it('still finds a row after VACUUM FREEZE: freezing keeps xmin', async () => {
    const { source, target } = await tables('frozen');
    await db.client.query(`INSERT INTO frozen (text) SELECT 'old ' || i FROM generate_series(1, 50) AS i`);
    await embedVisible('frozen');
    const snapshot = (await takePassSnapshot(db.client, source))!;
    await db.client.query(`INSERT INTO frozen (text) VALUES ('added after the pass')`);
    const before = await db.client.query<{ xmin: string }>(`SELECT xmin::text FROM frozen WHERE text = 'added after the pass'`);
    await db.client.query('VACUUM (FREEZE) frozen');
    const after = await db.client.query<{ xmin: string; frozen: boolean }>(
      `SELECT xmin::text, age(xmin) < age((SELECT relfrozenxid FROM pg_class WHERE relname = 'frozen')) AS frozen FROM frozen WHERE text = 'added after the pass'`,
    );
    // Every row older than relfrozenxid is frozen, and this one is: its xmin reads the same.
    expect(after.rows[0]).toEqual({ xmin: before.rows[0]!.xmin, frozen: false });
    // (Rows written before the snapshot are taken too while another transaction on the server held its xmin back.)
    expect(await writtenSince('frozen', snapshot)).toContain('added after the pass');
    expect(await countWaiting(db.client, source, target, snapshot)).toEqual({ new: 1, late: 0, changed: 0 });
  });

  it('counts edited texts as changed, and leaves updates of other columns alone', async () => {
    const { source, target } = await tables('edits');
    await db.client.query(`INSERT INTO edits (text, tag) SELECT 'text ' || i, 0 FROM generate_series(1, 100) AS i`);
    await embedVisible('edits');
    const snapshot = (await takePassSnapshot(db.client, source))!;
    await db.client.query(`UPDATE edits SET tag = 1 WHERE id <= 40`);
    await db.client.query(`UPDATE edits SET text = text || ' (edited)' WHERE id BETWEEN 31 AND 35`);
    await db.client.query(`UPDATE edits SET text = text WHERE id BETWEEN 50 AND 59`);

    // 50 row versions are newer than the snapshot, but only the five with another text are waiting.
    expect((await writtenSince('edits', snapshot)).length).toBeGreaterThanOrEqual(50);
    expect(await countWaiting(db.client, source, target, snapshot)).toEqual({ new: 0, late: 0, changed: 5 });
  });

  it('counts a row deleted and inserted again with the same id as new', async () => {
    const { source, target } = await tables('again', 'uuid');
    await db.client.query(`INSERT INTO again (id, text) SELECT gen_random_uuid(), 'text ' || i FROM generate_series(1, 200) AS i`);
    await embedVisible('again');
    const snapshot = (await takePassSnapshot(db.client, source))!;
    const gone = await db.client.query<{ id: string }>(`DELETE FROM again WHERE text IN ('text 7', 'text 8') RETURNING id::text`);
    await db.client.query(`INSERT INTO again (id, text) SELECT unnest($1::uuid[]), 'written again'`, [gone.rows.map((r) => r.id)]);
    await db.client.query(`INSERT INTO again (id, text) SELECT gen_random_uuid(), 'added ' || i FROM generate_series(1, 30) AS i`);

    expect(await countWaiting(db.client, source, target, snapshot)).toEqual({ new: 32, late: 0, changed: 0 });
  });

  it("a watcher's look clears emptied texts and counts its backlog in one statement, as the clear and then the count do", async () => {
    const kinds = async (name: string) => {
      const { source, target } = await tables(name);
      await db.client.query(`INSERT INTO ${name} (text, tag) SELECT 'text ' || i, 0 FROM generate_series(1, 60) AS i`);
      await embedVisible(name);
      const writer = await session();
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO ${name} (text) VALUES ('committed late')`);
      const snapshot = (await takePassSnapshot(db.client, source))!;
      await writer.query('COMMIT');
      await db.client.query(`UPDATE ${name} SET text = text || ' (edited)' WHERE id BETWEEN 1 AND 4`);
      await db.client.query(`UPDATE ${name} SET text = CASE WHEN id % 2 = 0 THEN '   ' END WHERE id BETWEEN 11 AND 13`);
      await db.client.query(`UPDATE ${name} SET tag = 1 WHERE id BETWEEN 20 AND 29`);
      await db.client.query(`INSERT INTO ${name} (text) VALUES ('added'), (''), (NULL)`);
      return { source, target, snapshot };
    };
    const held = async (name: string) =>
      (await db.client.query<{ id: string }>(`SELECT id::text FROM ${name}_embeddings WHERE id BETWEEN 11 AND 13 ORDER BY id`)).rows.map(
        (r) => r.id,
      );

    const merged = await kinds('merged');
    const { counts: waiting } = await clearBlankAndCount(db.client, merged.source, merged.target, merged.snapshot);
    const apart = await kinds('apart');
    await db.client.query(clearBlankSinceSql(apart.source, apart.target, apart.snapshot));
    // Blank rows are neither embedded nor counted, edited texts are changed, the other columns' update is nothing.
    expect(waiting).toEqual({ new: 1, late: 1, changed: 4 });
    expect(await countWaiting(db.client, apart.source, apart.target, apart.snapshot)).toEqual(waiting);
    expect(await held('merged')).toEqual([]);
    expect(await held('apart')).toEqual([]);
    // What stays is untouched: the vectors of the rows not emptied.
    expect(Number((await db.client.query<{ n: string }>('SELECT count(*) AS n FROM merged_embeddings')).rows[0]!.n)).toBe(57);
  });

  it('compares every row when the record cannot be trusted, and reads none when the counters prove nothing changed', async () => {
    const { source } = await tables('plans');
    await db.client.query(`INSERT INTO plans (text) SELECT 'text ' || i FROM generate_series(1, 20) AS i`);
    const snapshot = (await takePassSnapshot(db.client, source))!;
    expect(snapshot.counters).toBeDefined();

    expect(await planCapture(db.client, source, undefined)).toMatchObject({ kind: 'compare-all' });
    expect(snapshot.system).toMatch(/^\d+$/);
    expect(await planCapture(db.client, source, { ...snapshot, system: '1' })).toMatchObject({
      kind: 'compare-all',
      reason: expect.stringContaining('another server'),
    });
    const ahead = { ...snapshot, xmin: String(BigInt(snapshot.next) + 1000n), next: String(BigInt(snapshot.next) + 1000n) };
    expect(await planCapture(db.client, source, ahead)).toMatchObject({ kind: 'compare-all', reason: expect.stringContaining('restored') });
    for (let i = 0; i < 5; i++) await db.client.query('SELECT pg_current_xact_id()');
    expect(await planCapture(db.client, source, snapshot, { safeAge: 3n })).toMatchObject({
      kind: 'compare-all',
      reason: expect.stringContaining('transactions since the last complete pass'),
    });

    // A writer whose counts may not have reached the shared statistics yet: never skipped.
    const writer = await session();
    await writer.query(`INSERT INTO plans (text) VALUES ('one more')`);
    expect(await planCapture(db.client, source, snapshot, { settledSeconds: 1 })).toEqual({ kind: 'catch-up', since: snapshot });
    await closeSession(writer);

    // Nothing written since this snapshot, and no other session in the database busy: nothing to read.
    // (A closing session hands its counts over as it exits: let it finish first.)
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const quiet = (await takePassSnapshot(db.client, source))!;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await planCapture(db.client, source, quiet, { settledSeconds: 1 })).toEqual({ kind: 'unchanged', since: quiet });
    // A single table's counters reset: not trusted any more, even once they count the same again.
    await db.client.query(`SELECT pg_stat_reset_single_table_counters('plans'::regclass)`);
    expect(await planCapture(db.client, source, quiet, { settledSeconds: 1 })).toMatchObject({ kind: 'catch-up' });
  });
});
