/**
 * A host paused (SIGSTOP, not killed) long enough for its ranges to expire: another host takes them
 * over, then the paused host resumes (SIGCONT) and finishes what it had in hand, so both write the
 * same rows. Neither may deadlock or show an error, and the target must equal a clean single-host run.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createTargetOnOneHost, hostRows, queueFacts, startHost } from '../helpers/hosts.js';
import { countRows, embeddableRows, sleep } from '../helpers/progress.js';
import { expectSameAsFreshRun } from '../helpers/same-as-fresh-run.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const rows = 6_000;

describe('embed --distributed: a paused host whose ranges were taken over', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-distributed-takeover-');

  it('resumes and writes the same rows as the host that took them: no deadlock, no error, the target equals a fresh run', async () => {
    const target = 'paused_embeddings';
    const quoted = `"public"."${target}"`;
    // Small tasks, so that the paused host holds ranges with batches in flight; a short lock timeout, so
    // that a write left waiting on the paused host's locks would surface as an error.
    const command = [
      'sentences',
      '50',
      '--sort-window',
      '200',
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--distributed',
      '--lease',
      '3',
      '--lock-timeout',
      '8',
      '--target',
      target,
      '--json',
    ];
    // A single-host run creates the target; then a trigger makes some rows' writes slow, so that the host
    // can be paused in the middle of a write: it then holds those rows locked in an open transaction.
    await createTargetOnOneHost({ databaseUrl: fixture.db.url, modelDir, target, stateFile: path.join(fixture.dir, 'create.sqlite') });
    await fixture.db.client.query(`
      CREATE FUNCTION slow_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id % 40 = 0 THEN PERFORM pg_sleep(0.1); END IF; RETURN NEW; END $$;
      CREATE TRIGGER slow_write BEFORE INSERT ON ${target} FOR EACH ROW EXECUTE FUNCTION slow_write();`);
    const [paused, other] = ['paused', 'other'].map((name) => startHost(fixture.dir, name, command));
    for (;;) {
      const mine = (await hostRows(fixture.db.client, quoted)).find((h) => h.host.endsWith(`/${paused!.child.pid}`));
      const writing = await fixture.db.client.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'INSERT INTO%'`,
        [`embed ${paused!.child.pid}`],
      );
      if (mine && mine.ranges >= 1 && writing.rowCount! > 0) break;
      await sleep(5);
    }
    paused!.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      // Its ranges expire and the other host fetches them again (pg-boss counts a retry).
      for (;;) {
        const taken = await fixture.db.client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM embed_queue.job j JOIN embed_queue.embed_jobs e ON e.queue = j.name
            WHERE e.target = $1 AND j.retry_count > 0 AND j.state IN ('active', 'completed')`,
          [quoted],
        );
        if (taken.rows[0]!.n > 0) break;
        expect(Date.now() - stoppedAt).toBeLessThan(30_000);
        await sleep(100);
      }
      // Longer than --lock-timeout: a write of the other host waiting on the paused host's locks would fail.
      await sleep(10_000);
    } finally {
      paused!.child.kill('SIGCONT');
    }
    const [first, second] = await Promise.all([paused!.done, other!.done]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    for (const result of [first, second]) expect(result.stderr).not.toMatch(/deadlock|error|failed|could not/i);

    const facts = await queueFacts(fixture.db.client, quoted);
    expect(facts.states).toEqual({ completed: facts.jobs });
    expect(facts.retried).toBeGreaterThan(0);
    const failed = await fixture.db.client.query(`SELECT count(*)::int AS n FROM embed_queue.embed_failed_rows`);
    expect(failed.rows[0].n).toBe(0);
    expect(await countRows(fixture.db.client, target)).toBe(embeddableRows(rows));
    await expectSameAsFreshRun(fixture.db.client, { table: 'sentences', target, modelDir, databaseUrl: fixture.db.url, dir: fixture.dir });
  });
});
