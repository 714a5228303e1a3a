/**
 * Change capture across hosts: a later `--distributed` pass plans, besides the ids added since, the rows
 * below the last pass's end that were committed late (a transaction holding a low id, committed after a
 * pass) or whose text was edited, from the same conditions as a plain run's catch-up. Hosts are
 * separate CLI processes with their own folders and state files.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { runCli } from '../helpers/cli.js';
import { hostSummary, queueFacts, startHost } from '../helpers/hosts.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const rows = 3_000;

describe('embed --distributed: later passes plan late commits and edited texts', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-distributed-capture-');
  const target = 'captured';
  const command = () => [
    'sentences',
    '100',
    '--workers',
    '1',
    '--model',
    modelDir,
    '--database-url',
    fixture.db.url,
    '--distributed',
    '--lease',
    '3',
    '--target',
    target,
    '--json',
  ];
  let hostCount = 0;
  const twoHosts = async () => {
    const hosts = ['a', 'b'].map((name) => startHost(fixture.dir, `pass-${++hostCount}-${name}`, command()));
    const results = await Promise.all(hosts.map((h) => h.done));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const summaries = results.map(
      (r) => hostSummary(r) as ReturnType<typeof hostSummary> & { rowsNew: number; rowsLate: number; rowsChanged: number },
    );
    const sum = (key: 'rowsEmbedded' | 'rowsNew' | 'rowsLate' | 'rowsChanged') => summaries.reduce((n, s) => n + s[key], 0);
    return { results, embedded: sum('rowsEmbedded'), byKind: { new: sum('rowsNew'), late: sum('rowsLate'), changed: sum('rowsChanged') } };
  };
  /** Rows the target lacks or holds with another text: what a correct pass must embed, and only that. */
  const owed = async () =>
    Number(
      (
        await fixture.db.client.query<{ n: string }>(
          `SELECT count(*) AS n FROM sentences s WHERE s.text !~ '^[[:space:]]*$'
              AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = s.id AND t.content_hash = md5(convert_to(s.text, 'UTF8')))`,
        )
      ).rows[0]!.n,
    );

  it('a late commit below the last pass, edited texts and added rows: the next pass embeds exactly those, and the target equals a clean run', async () => {
    await fixture.db.client.query(`DELETE FROM sentences WHERE id BETWEEN 500 AND 509`);
    const first = await twoHosts();
    expect(first.embedded).toBe(
      await fixture.db.client.query(`SELECT 1 FROM sentences WHERE text !~ '^[[:space:]]*$'`).then((r) => r.rowCount),
    );
    expect(await owed()).toBe(0);

    // A writer holds a low id open while rows are added and a second pass runs past it.
    const writer = new pg.Client({ connectionString: fixture.db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO sentences (id, text) VALUES (505, 'the row committed late, below every planned id')`);
      await fixture.db.client.query(
        `INSERT INTO sentences (id, text) SELECT i, 'added while a writer waits ' || i FROM generate_series(${rows + 1}, ${rows + 200}) AS i`,
      );
      const second = await twoHosts();
      expect(second.embedded).toBe(200);
      expect(second.byKind).toEqual({ new: 200, late: 0, changed: 0 });
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    const edited = await fixture.db.client.query(
      `UPDATE sentences SET text = text || ' (edited)' WHERE id % 97 = 0 AND text !~ '^[[:space:]]*$'`,
    );
    // The same text written again, and emptied texts: nothing to embed, and vectors to remove.
    await fixture.db.client.query(`UPDATE sentences SET text = text WHERE id % 89 = 0`);
    await fixture.db.client.query(`UPDATE sentences SET text = '  ' WHERE id IN (11, 12, 13)`);
    await fixture.db.client.query(
      `INSERT INTO sentences (id, text) SELECT i, 'added at the end ' || i FROM generate_series(${rows + 201}, ${rows + 250}) AS i`,
    );
    const expected = await owed();
    expect(expected).toBe(1 + edited.rowCount! + 50);

    // embed status counts them from the same conditions, with the pass done: its ETA is nothing left of it.
    const status = await runCli([
      'status',
      'sentences',
      '--database-url',
      fixture.db.url,
      '--target',
      target,
      '--state',
      path.join(fixture.dir, 'pass-1-a', 'state.sqlite'),
      '--json',
    ]);
    expect(status.code, status.stderr).toBe(0);
    // The emptied texts count as changed: their vectors go.
    expect(JSON.parse(status.stdout)).toMatchObject({ waiting: { new: 50, late: 1, changed: edited.rowCount! + 3 }, etaSeconds: 0 });

    const third = await twoHosts();
    expect(third.embedded).toBe(expected);
    expect(third.byKind).toEqual({ new: 50, late: 1, changed: edited.rowCount });
    const facts = await queueFacts(fixture.db.client, `"public"."${target}"`);
    expect(facts.passes).toHaveLength(3);
    // Planned: the rows to embed, and the emptied texts (read and skipped; their vectors were removed).
    expect(facts.passes[2]).toMatchObject({ rows: expected + 3, last_id: String(rows + 250) });
    expect(facts.states).toEqual({ completed: facts.jobs });
    await expectSameAsFreshRun(fixture.db.client, { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });

    // Nothing written since: nothing planned, and the next pass starts from the newer snapshot.
    const idle = await twoHosts();
    expect(idle.embedded).toBe(0);
    for (const result of idle.results) expect(result.stderr).toMatch(/nothing to embed: pass 3 is finished/);
  });
});
