/**
 * Writers insert, edit, re-tag and delete rows without pause, some holding their transaction open a
 * while (commits that land behind ids already read), while three plain runs follow each other, the
 * last after the writers stop. The target then equals a fresh full run over the final table, row by
 * row, and no row whose text did not change was embedded again: every row a run embeds is accounted
 * for by a row the table started with, one inserted or one whose text was edited, although far more
 * rows had only another column updated.
 */
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';

const initialRows = 3_000;

interface Tally {
  inserted: number;
  edited: number;
  retagged: number;
  deleted: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Three writers on their own sessions until `stop()`; returns what they committed. */
function startWriters(url: string, table: string): { stop: () => Promise<Tally> } {
  const tally: Tally = { inserted: 0, edited: 0, retagged: 0, deleted: 0 };
  let stopping = false;
  let serial = 0;
  const randomRow = `(SELECT id FROM ${table} OFFSET floor(random() * greatest((SELECT count(*) FROM ${table}) - 1, 1)) LIMIT 1)`;
  const loop = async (work: (client: pg.Client) => Promise<void>) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      while (!stopping) await work(client);
    } finally {
      await client.end();
    }
  };
  const writers = [
    // Inserts, every third one held open a while: its rows commit behind rows committed after them.
    loop(async (client) => {
      const n = ++serial;
      await client.query('BEGIN');
      const result = await client.query(
        `INSERT INTO ${table} (text) SELECT 'inserted ' || $1::int || '.' || i FROM generate_series(1, 3) AS i`,
        [n],
      );
      if (n % 3 === 0) await sleep(150);
      await client.query('COMMIT');
      tally.inserted += result.rowCount!;
    }),
    // Edits of texts, and many more updates of another column only.
    loop(async (client) => {
      const n = ++serial;
      if (n % 4 === 0) {
        tally.edited += (await client.query(`UPDATE ${table} SET text = 'edited ' || $1::int || ': ' || text WHERE id = ${randomRow}`, [n]))
          .rowCount!;
      } else {
        tally.retagged += (
          await client.query(`UPDATE ${table} SET tag = tag + 1 WHERE id IN (SELECT id FROM ${table} ORDER BY random() LIMIT 20)`)
        ).rowCount!;
      }
    }),
    // Deletes, and now and then a row deleted and written again under the same id with a new text.
    loop(async (client) => {
      const n = ++serial;
      await client.query('BEGIN');
      const gone = await client.query<{ id: string }>(`DELETE FROM ${table} WHERE id = ${randomRow} RETURNING id::text`);
      if (n % 2 === 0 && gone.rowCount === 1) {
        await client.query(`INSERT INTO ${table} (id, text) VALUES ($1, 'written again ' || $2::int)`, [gone.rows[0]!.id, n]);
        tally.inserted += 1;
      }
      await client.query('COMMIT');
      tally.deleted += gone.rowCount!;
      await sleep(20);
    }),
  ];
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(writers);
      return tally;
    },
  };
}

describe('plain runs while writers change the table', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-capture-writers-');
  const { dir } = fixture;

  for (const [name, idType] of [
    ['serial', 'bigserial'],
    ['uuid', 'uuid DEFAULT gen_random_uuid()'],
  ] as const) {
    it(`${name} ids: three runs during and after the writes end like a fresh full run`, async () => {
      const table = `busy_${name}`;
      await fixture.db.client.query(`CREATE TABLE ${table} (id ${idType} PRIMARY KEY, text text, tag int NOT NULL DEFAULT 0)`);
      await fixture.db.client.query(`INSERT INTO ${table} (text) SELECT 'first text of row ' || i FROM generate_series(1, $1::int) AS i`, [
        initialRows,
      ]);
      const command = [
        table,
        '100',
        '--workers',
        '2',
        '--model',
        modelDir,
        '--database-url',
        fixture.db.url,
        '--state',
        path.join(dir, `${table}.sqlite`),
        '--json',
      ];
      const summaries: { rowsEmbedded: number; rowsChanged: number; rowsLate: number }[] = [];
      const embed = async () => {
        const result = await runCli(command);
        expect(result.code, result.stderr).toBe(0);
        summaries.push(JSON.parse(result.stdout));
      };

      const writers = startWriters(fixture.db.url, table);
      let tally: Tally;
      try {
        await embed();
        await embed();
      } finally {
        tally = await writers.stop();
      }
      await embed();

      await expectSameAsFreshRun(fixture.db.client, { table, target: `${table}_embeddings`, modelDir, databaseUrl: fixture.db.url, dir });
      const embedded = summaries.reduce((sum, s) => sum + s.rowsEmbedded, 0);
      const changed = summaries.reduce((sum, s) => sum + s.rowsChanged, 0);
      console.log(
        `${name}: writers ${JSON.stringify(tally)}; runs embedded ${summaries.map((s) => `${s.rowsEmbedded} (late ${s.rowsLate}, changed ${s.rowsChanged})`).join(', ')}`,
      );
      expect(tally.retagged).toBeGreaterThan(tally.inserted + tally.edited);
      expect(embedded).toBeLessThanOrEqual(initialRows + tally.inserted + tally.edited);
      expect(changed).toBeLessThanOrEqual(tally.edited);
      // The last run, after the writers stopped, found what the runs during the writes could not see.
      expect(summaries[2]!.rowsEmbedded).toBeGreaterThan(0);
    });
  }
});
