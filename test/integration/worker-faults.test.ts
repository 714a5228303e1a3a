/**
 * Batches that keep failing, for real reasons confined to a few rows: the target's CHECK constraint and
 * a trigger reject some ids, an ONNX run fails on a token the model has no embedding for, and a worker
 * thread dies of running out of memory on one huge text. Each time the batch is retried, split until
 * the rows at fault are isolated, those rows are recorded as failed (with the error) in the state file,
 * every other row is stored exactly once, and the run exits 3.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable, textFor } from '../helpers/fixtures.js';

const rows = 400;

describe('worker faults: rows at fault are isolated, recorded and skipped; the run goes on', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-worker-faults-');
  const tmp = fixture.dir;

  const embed = (table: string, state: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    runCli(
      [
        table,
        '10',
        '--workers',
        '2',
        '--model',
        modelDir,
        '--database-url',
        fixture.db.url,
        '--state',
        path.join(tmp, state),
        '--json',
        ...extra,
      ],
      env,
    );
  const failuresIn = (state: string): Map<string, string> => {
    const file = new Database(path.join(tmp, state), { readonly: true });
    try {
      const failed = file.prepare('SELECT row_id AS id, error FROM failures ORDER BY row_id').all() as { id: string; error: string }[];
      return new Map(failed.map((row) => [row.id, row.error]));
    } finally {
      file.close();
    }
  };
  /** Every non-blank row but the failed ones is stored exactly once; the failed ones are not stored. */
  const expectStoredExcept = async (table: string, target: string, failed: string[]) => {
    const result = await fixture.db.client.query<{ id: string; copies: string }>(
      `SELECT s.id::text AS id, count(t.id) AS copies FROM ${table} s LEFT JOIN ${target} t ON t.id = s.id
        WHERE btrim(coalesce(s.text, '')) <> '' GROUP BY s.id`,
    );
    for (const row of result.rows) {
      expect(row.copies, `copies of row ${row.id}`).toBe(failed.includes(row.id) ? '0' : '1');
    }
  };
  const nonBlankRows = (count: number) =>
    Array.from({ length: count }, (_, i) => textFor(i + 1)).filter((t) => t && t.trim() !== '').length;

  it('rows the target rejects (a CHECK constraint, a trigger) are recorded as failed; exit 3', async () => {
    await createTextTable(fixture.db.client, 'checked', rows);
    // The target the tool would create, plus a constraint and a trigger that refuse three ids.
    await fixture.db.client.query(`CREATE TABLE checked_embeddings (
        id bigint PRIMARY KEY REFERENCES checked (id) ON DELETE CASCADE,
        embedding real[] NOT NULL, model text NOT NULL, content_hash text NOT NULL,
        embedded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT no_quarantined_ids CHECK (id NOT IN (37, 181)))`);
    await fixture.db.client.query(`CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.id = 333 THEN RAISE EXCEPTION 'row % is on legal hold', NEW.id; END IF; RETURN NEW; END $$`);
    await fixture.db.client.query(
      'CREATE TRIGGER legal_hold BEFORE INSERT ON checked_embeddings FOR EACH ROW EXECUTE FUNCTION refuse_row()',
    );

    const result = await embed('checked', 'checked.sqlite');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^embed: 3 row\(s\) failed and were recorded in .*checked\.sqlite; .*--retry-failed$/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ outcome: 'completed', rowsFailed: 3, rowsEmbedded: nonBlankRows(rows) - 3 });

    const failures = failuresIn('checked.sqlite');
    expect([...failures.keys()]).toEqual(['181', '333', '37']);
    expect(failures.get('37')).toMatch(/violates check constraint "no_quarantined_ids".*SQLSTATE 23514/);
    expect(failures.get('181')).toMatch(/no_quarantined_ids/);
    expect(failures.get('333')).toMatch(/row 333 is on legal hold.*SQLSTATE P0001/);
    await expectStoredExcept('checked', 'checked_embeddings', ['37', '181', '333']);

    // The batches with failed rows count as done: the same command has nothing left to do.
    const again = await embed('checked', 'checked.sqlite');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsEmbedded: 0, rowsFailed: 0 });
  });

  it('an ONNX run that fails on one row (a token beyond the embedding table) fails that row only', async () => {
    // A copy of the test model whose tokenizer knows one word more than the model has embeddings for.
    const poisoned = path.join(tmp, 'poisoned-model');
    cpSync(modelDir, poisoned, { recursive: true });
    const tokenizerFile = path.join(poisoned, 'tokenizer.json');
    const tokenizer = JSON.parse(readFileSync(tokenizerFile, 'utf8'));
    const modelVocabulary = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')).vocab_size as number;
    tokenizer.model.vocab.zzzpoison = modelVocabulary;
    writeFileSync(tokenizerFile, JSON.stringify(tokenizer));

    await createTextTable(fixture.db.client, 'poison', 100);
    await fixture.db.client.query(`UPDATE poison SET text = 'a zzzpoison b' WHERE id IN (12, 13, 64)`);
    const result = await runCli([
      'poison',
      '10',
      '--workers',
      '2',
      '--model',
      poisoned,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(tmp, 'poison.sqlite'),
      '--json',
    ]);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsFailed: 3, rowsEmbedded: nonBlankRows(100) - 3 });
    const failures = failuresIn('poison.sqlite');
    expect([...failures.keys()]).toEqual(['12', '13', '64']);
    expect(failures.get('12')).toMatch(/Gather.*out of data bounds/);
    await expectStoredExcept('poison', 'poison_embeddings', ['12', '13', '64']);
  });

  it('a worker thread that runs out of memory on one huge row is replaced; only that row fails', async () => {
    await createTextTable(fixture.db.client, 'huge', 8);
    // 11 million characters: the tokenizer's word list alone outgrows a 96 MB heap.
    await fixture.db.client.query(`UPDATE huge SET text = repeat('lorem ipsum dolor sit amet, ', 400000) WHERE id = 7`);
    const result = await embed('huge', 'huge.sqlite', [], { NODE_OPTIONS: '--max-old-space-size=96' });
    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rowsFailed: 1, rowsEmbedded: nonBlankRows(8) - 1 });
    // Each death frees the compute permit the thread held at once (a few seconds in all), rather than
    // after the permit's 60 s lease.
    expect(summary.elapsedSeconds).toBeLessThan(45);
    const failures = failuresIn('huge.sqlite');
    expect([...failures.keys()]).toEqual(['7']);
    expect(failures.get('7')).toMatch(/worker thread died \(.*memory/);
    await expectStoredExcept('huge', 'huge_embeddings', ['7']);
  });
});
