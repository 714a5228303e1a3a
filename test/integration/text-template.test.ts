/**
 * `--text TEMPLATE` (real CLI, real workers, the test PostgreSQL): the server renders several columns
 * into one model input, so the stored content hash is the md5 of exactly the expected text and the
 * vector is that text's; NULL columns render empty and a row with nothing in its columns is blank;
 * updates of columns outside the template embed nothing while updates of its columns re-embed exactly
 * those rows; `embed watch` is woken by the template's columns only; bad templates and unknown columns
 * are refused in one line.
 * Longer than 250 lines because the cases share one table layout, its rendering in JavaScript and one command.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { directEmbeddings, maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { startWatcher, waitUntil } from '../helpers/watcher.js';
import { scrape, value as metricValue } from '../helpers/prometheus.js';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

interface Doc {
  id: number;
  title: string | null;
  body: string | null;
  summary: string | null;
}

/** What the template '{title}: {Summary Text}\n\n{body}' renders, or null for a row with nothing to embed. */
const rendered = (doc: Doc): string | null =>
  [doc.title, doc.summary, doc.body].every((v) => v === null || v.trim() === '')
    ? null
    : `${doc.title ?? ''}: ${doc.summary ?? ''}\n\n${doc.body ?? ''}`;
const template = '{title}: {Summary Text}\\n\\n{body}';

describe('--text TEMPLATE', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-text-template-');
  const client = () => fixture.db.client;
  const embed = (table: string, ...args: string[]) =>
    runCli([
      table,
      '--text',
      template,
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, `${table}.sqlite`),
      '--json',
      ...args,
    ]);

  const insertDocs = async (table: string, docs: Doc[]) => {
    await client().query(
      `CREATE TABLE ${table} (id int PRIMARY KEY, title text, body text, "Summary Text" varchar(200), views int NOT NULL DEFAULT 0, year int)`,
    );
    await client().query(
      `INSERT INTO ${table} (id, title, body, "Summary Text", year)
       SELECT id, title, body, summary, 1900 + id FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS d(id, title, body, summary)`,
      [docs.map((d) => d.id), docs.map((d) => d.title), docs.map((d) => d.body), docs.map((d) => d.summary)],
    );
  };

  /** The target's rows: content hash and when each was written. */
  const targetRows = async (table: string) => {
    const result = await client().query<{ id: number; content_hash: string; embedded_at: string }>(
      `SELECT id, content_hash, embedded_at::text FROM ${table}_embeddings ORDER BY id`,
    );
    return new Map(result.rows.map((row) => [row.id, row]));
  };

  it("renders every row's input on the server: NULL columns empty, literals and escapes as written, all-blank rows skipped", async () => {
    const docs: Doc[] = [
      { id: 1, title: 'Tea', summary: 'a drink', body: 'Brewed from leaves.' },
      { id: 2, title: null, summary: 'no title here', body: 'The body alone.' },
      { id: 3, title: 'Only a title', summary: null, body: null },
      { id: 4, title: null, summary: null, body: null },
      { id: 5, title: '   ', summary: '', body: '\n\t' },
      { id: 6, title: "it's {braced} \\ quoted", summary: 'x', body: 'accents: café, naïve' },
      { id: 7, title: 'Kettle', summary: '', body: '  whitespace kept  ' },
    ];
    await insertDocs('rendered', docs);
    const result = await embed('rendered');
    expect(result.code, result.stderr).toBe(0);
    const embeddable = docs.filter((d) => rendered(d) !== null);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsEmbedded: embeddable.length, rowsSkipped: 2, rowsFailed: 0 });

    const stored = await targetRows('rendered');
    expect([...stored.keys()]).toEqual(embeddable.map((d) => d.id));
    for (const doc of embeddable) expect(stored.get(doc.id)!.content_hash, `row ${doc.id}`).toBe(md5(rendered(doc)!));

    const vectors = await storedEmbeddings(client(), 'rendered_embeddings');
    const direct = await directEmbeddings(
      modelDir,
      embeddable.map((d) => rendered(d)!),
    );
    embeddable.forEach((doc, i) => {
      expect(maxAbsDifference(vectors.get(String(doc.id))!, direct[i]!), `row ${doc.id}`).toBeLessThan(1e-5);
    });

    // Emptied columns take the vector away; the job's status names the template.
    await client().query(`UPDATE rendered SET title = NULL, body = ' ', "Summary Text" = NULL WHERE id = 1`);
    const again = await embed('rendered');
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsEmbedded: 0 });
    expect((await targetRows('rendered')).has(1)).toBe(false);
    const status = await runCli([
      'status',
      'rendered',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'rendered.sqlite'),
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`job         "public"."rendered" (id, --text '${template}') -> "public"."rendered_embeddings"`);

    // Another template into the same target is another job, as another text column is: its first run
    // trusts the target's record of its last complete pass and only catches up (saying so); --refresh
    // compares every row's hash and embeds the new input.
    const bodyOnly = (...args: string[]) =>
      runCli([
        'rendered',
        '--text',
        '{body}',
        '--model',
        modelDir,
        '--database-url',
        fixture.db.url,
        '--state',
        path.join(fixture.dir, 'rendered.sqlite'),
        '--json',
        ...args,
      ]);
    const caughtUp = await bodyOnly();
    expect(caughtUp.code, caughtUp.stderr).toBe(0);
    expect(caughtUp.stderr).toContain('no progress for this job');
    expect(JSON.parse(caughtUp.stdout)).toMatchObject({ rowsEmbedded: 0 });
    const refreshed = await bodyOnly('--refresh');
    expect(refreshed.code, refreshed.stderr).toBe(0);
    // Row 1's body was blanked above.
    const withBody = docs.filter((d) => d.id !== 1 && d.body !== null && d.body.trim() !== '');
    expect(withBody.map((d) => d.id)).toEqual([2, 6, 7]);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ rowsEmbedded: 3, rowsChanged: 3 });
    const refreshedRows = await targetRows('rendered');
    for (const doc of withBody) expect(refreshedRows.get(doc.id)!.content_hash, `row ${doc.id}`).toBe(md5(doc.body!));
    // Two jobs now: status names what each reads, and --text picks one.
    const lookup = (...args: string[]) =>
      runCli(['status', 'rendered', '--database-url', fixture.db.url, '--state', path.join(fixture.dir, 'rendered.sqlite'), ...args]);
    const ambiguous = await lookup();
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(
      `from --text '${template}', tiny-random -> "public"."rendered_embeddings" from --text '{body}'); pick one with`,
    );
    const picked = await lookup('--text', '{body}');
    expect(picked.code, picked.stderr).toBe(0);
    expect(picked.stdout).toContain(`(id, --text '{body}')`);
  });

  it('10,000 updates of columns outside the template embed nothing; updates of its columns re-embed exactly those rows', async () => {
    const rows = 2_000;
    const docs = Array.from({ length: rows }, (_, i) => ({
      id: i + 1,
      title: `title number ${i + 1}`,
      summary: i % 3 === 0 ? null : `summary ${i + 1}`,
      body: `the body of document ${i + 1}`,
    }));
    await insertDocs('updated', docs);
    const first = await embed('updated');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rowsEmbedded: rows, rowsInferred: rows });
    const before = await targetRows('updated');

    // Five statements over every row: 10,000 row updates of columns the template does not name, and of
    // a template column set to the value it has.
    for (let i = 0; i < 4; i++) await client().query(`UPDATE updated SET views = views + 1, year = year + 1`);
    await client().query(`UPDATE updated SET title = title, views = views + 1`);
    const outside = await embed('updated');
    expect(outside.code, outside.stderr).toBe(0);
    expect(JSON.parse(outside.stdout)).toMatchObject({ outcome: 'completed', rowsEmbedded: 0, rowsInferred: 0 });
    expect(await targetRows('updated')).toEqual(before);

    // Edits of each template column, on rows of their own; and a row whose edit also touches other columns.
    const edited = [5, 77, 300, 1_234, 1_999];
    await client().query(`UPDATE updated SET title = title || ' (revised)' WHERE id IN (5, 77)`);
    await client().query(`UPDATE updated SET "Summary Text" = 'a new summary' WHERE id = 300`);
    await client().query(`UPDATE updated SET body = body || ' Another sentence.', views = 0 WHERE id IN (1234, 1999)`);
    await client().query(`UPDATE updated SET views = views + 1`);
    const inside = await embed('updated');
    expect(inside.code, inside.stderr).toBe(0);
    expect(JSON.parse(inside.stdout)).toMatchObject({
      rowsEmbedded: edited.length,
      rowsChanged: edited.length,
      rowsInferred: edited.length,
    });
    const after = await targetRows('updated');
    const current = await client().query<Doc>(`SELECT id, title, body, "Summary Text" AS summary FROM updated ORDER BY id`);
    for (const doc of current.rows) {
      const row = after.get(doc.id)!;
      expect(row.content_hash, `row ${doc.id}`).toBe(md5(rendered(doc)!));
      if (edited.includes(doc.id)) expect(row.embedded_at, `row ${doc.id}`).not.toBe(before.get(doc.id)!.embedded_at);
      else expect(row, `row ${doc.id}`).toEqual(before.get(doc.id));
    }
  });

  it('--distributed reads the same input through its ranges, and its queue is keyed by the template', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      title: `shared title ${i + 1}`,
      summary: null,
      body: i % 4 === 0 ? null : `shared body ${i + 1}`,
    }));
    await insertDocs('shared', docs);
    const first = await embed('shared', '50', '--distributed');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rowsEmbedded: 300 });
    await client().query(`UPDATE shared SET views = views + 1`);
    await client().query(`UPDATE shared SET body = 'a body written later' WHERE id = 9`);
    const second = await embed('shared', '50', '--distributed');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ rowsEmbedded: 1, rowsChanged: 1 });
    const stored = await targetRows('shared');
    const current = await client().query<Doc>(`SELECT id, title, body, "Summary Text" AS summary FROM shared ORDER BY id`);
    for (const doc of current.rows) expect(stored.get(doc.id)!.content_hash, `row ${doc.id}`).toBe(md5(rendered(doc)!));
    const job = await client().query(`SELECT text_column FROM embed_queue.embed_jobs WHERE source = '"public"."shared"'`);
    expect(job.rows).toEqual([{ text_column: template }]);
  });

  it('refuses bad templates, a template with --text-column, and an unknown column, each in one line', async () => {
    await insertDocs('refused', [{ id: 1, title: 'a', summary: 'b', body: 'c' }]);
    const cases: [string[], number, string][] = [
      [['--text', ''], 2, `embed: --text "" is empty; name the columns to embed, e.g. '{title}\\n\\n{body}'`],
      [
        ['--text', 'plain words'],
        2,
        `embed: --text "plain words" names no column; put each column to embed in braces, e.g. '{title}\\n\\n{body}'`,
      ],
      [['--text', '{title'], 2, 'embed: --text "{title" leaves a placeholder open; close {title with }'],
      [
        ['--text', 'a} {title}'],
        2,
        'embed: --text "a} {title}" closes a placeholder it never opened at character 2; write a literal brace as \\}',
      ],
      [
        ['--text', '{title} {}'],
        2,
        'embed: --text "{title} {}" has an empty placeholder {} at character 9; put a column name between the braces',
      ],
      [
        ['--text', '{title}\\r'],
        2,
        'embed: --text "{title}\\\\r" has an unknown escape at character 8; the escapes are \\n, \\t, \\\\, \\{ and \\}',
      ],
      [['--text', '{a{b}}'], 2, 'embed: --text "{a{b}}" opens a placeholder inside another at character 3; write a literal brace as \\{'],
      [
        ['--text', '{title}', '--text-column', 'body'],
        2,
        "embed: --text and --text-column exclude each other: a template names its columns itself, e.g. --text '{title}'",
      ],
      [
        ['--text', '{title}\\n{titel}'],
        1,
        'embed: table "refused" has no column "titel" in --text; its columns are: id, title, body, Summary Text, views, year',
      ],
      [
        ['--text', '{title} ({year})'],
        1,
        'embed: column "year" of "refused" is integer, not text; leave it out of --text, or pass --cast-text to embed its text form',
      ],
    ];
    for (const [args, code, line] of cases) {
      const result = await runCli([
        'refused',
        '--model',
        modelDir,
        '--database-url',
        fixture.db.url,
        '--state',
        path.join(fixture.dir, 'r.sqlite'),
        ...args,
      ]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      expect(result.stderr.split('\n')[0], args.join(' ')).toBe(line);
    }
    // Nothing was written by any of them.
    expect((await client().query(`SELECT to_regclass('refused_embeddings') AS t`)).rows[0].t).toBeNull();

    // With --cast-text a number renders as its text form, as --text-column with --cast-text reads it.
    const cast = await runCli([
      'refused',
      '--text',
      '{title} ({year})',
      '--cast-text',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'r.sqlite'),
    ]);
    expect(cast.code, cast.stderr).toBe(0);
    expect((await targetRows('refused')).get(1)!.content_hash).toBe(md5('a (1901)'));
  });

  it('embed watch --install-trigger is woken by edits of the template columns, not of others, and re-embeds just those rows', async () => {
    await insertDocs(
      'watched',
      Array.from({ length: 50 }, (_, i) => ({ id: i + 1, title: `watched title ${i + 1}`, summary: null, body: `watched body ${i + 1}` })),
    );
    const watcher = startWatcher([
      'watched',
      '--text',
      template,
      '--install-trigger',
      '--metrics-port',
      '0',
      '--model',
      modelDir,
      '--workers',
      '1',
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(fixture.dir, 'watched.sqlite'),
    ]);
    try {
      const start = await watcher.waitFor('start');
      expect((await watcher.waitFor('caught-up')).rows).toBe(50);
      expect(watcher.events.filter((e) => e.event === 'trigger').map((e) => e.message)).toContain(
        `created trigger "embed_watch" on "public"."watched": AFTER INSERT OR UPDATE OF "id", "title", "Summary Text", "body", FOR EACH STATEMENT, calls "public"."embed_watch_notify"()`,
      );
      const port = start.metricsPort as number;
      const embedded = async () => metricValue(await scrape(port), 'embed_rows_embedded_total');
      const before = await targetRows('watched');

      await client().query(`UPDATE watched SET views = views + 1, year = year + 1`);
      await client().query(`UPDATE watched SET "Summary Text" = 'summed up' WHERE id = 17`);
      const wanted = md5(rendered({ id: 17, title: 'watched title 17', summary: 'summed up', body: 'watched body 17' })!);
      await waitUntil('row 17 is embedded again', async () => (await targetRows('watched')).get(17)!.content_hash === wanted, 20_000);
      expect(await embedded()).toBe(51);
      const after = await targetRows('watched');
      for (const [id, row] of after) if (id !== 17) expect(row, `row ${id}`).toEqual(before.get(id));

      // Every column of the template is guarded: one renamed stops the watcher with one line.
      await client().query(`ALTER TABLE watched RENAME COLUMN "Summary Text" TO summary`);
      // A notification wakes it at once (the guard looks before every look).
      await client().query(`INSERT INTO watched (id, title) VALUES (51, 'wakes the watcher')`);
      const result = await watcher.done;
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        'embed: table "public"."watched" lost its column "Summary Text" (dropped or renamed); stopped watching (progress is saved): start embed watch again once the table is as it should be',
      );
    } finally {
      if (watcher.child.exitCode === null) await watcher.stop('SIGTERM');
    }
  });
});
