/**
 * One job shared by hosts through the queue in PostgreSQL. Every host is a separate `embed --distributed`
 * process with its own working folder and state file; they share only the database. Hosts here hold
 * ranges with a 3-second lease, so a killed host's ranges come back within seconds.
 *
 * Longer than 250 lines because the hosts share one set-up, and each fault is a case of it.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { createTargetOnOneHost, holdWrites, hostRows, hostSummary, queueFacts, startHost, untilWritesWait } from '../helpers/hosts.js';
import { countRows, embeddableRows, sleep } from '../helpers/progress.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const rows = 8_000;
const embeddable = embeddableRows(rows);

describe('embed --distributed: hosts sharing one job', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-distributed-');
  const command = (target: string, ...more: string[]) => [
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
    ...more,
  ];
  // Ranges of a few small tasks: more ranges than two hosts hold at once, so one waits while they are held.
  const smallTasks = ['--sort-window', '200'];
  const distinctIds = async (target: string) =>
    Number((await fixture.db.client.query<{ n: string }>(`SELECT count(DISTINCT id) AS n FROM ${target}`)).rows[0]!.n);

  for (const hosts of [2, 3]) {
    it(`${hosts} hosts started together plan once and embed every row once`, async () => {
      const target = `hosts_${hosts}`;
      const started = Array.from({ length: hosts }, (_, i) => startHost(fixture.dir, `${target}-${i}`, command(target)));
      const results = await Promise.all(started.map((h) => h.done));
      for (const result of results) expect(result.code, result.stderr).toBe(0);

      expect(await countRows(fixture.db.client, target)).toBe(embeddable);
      expect(await distinctIds(target)).toBe(embeddable);
      const facts = await queueFacts(fixture.db.client, `"public"."${target}"`);
      // One planner: one pass, and exactly its ranges in the queue, all done.
      expect(facts.passes).toHaveLength(1);
      expect(facts.jobs).toBe(facts.passes[0]!.ranges);
      expect(facts.states).toEqual({ completed: facts.jobs });
      const shares = results.map((r) => hostSummary(r).distributed.ranges);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(facts.jobs);
      for (const share of shares) expect(share).toBeGreaterThan(0);
      const perHost = await hostRows(fixture.db.client, `"public"."${target}"`);
      expect(perHost.reduce((n, h) => n + h.rows, 0)).toBe(rows);
    });
  }

  it('kill -9 of a host mid-range: the others take its ranges over and the target equals a clean single-host run', async () => {
    const clean = await runCli([
      'sentences',
      '100',
      '--workers',
      '1',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--target',
      'clean_embeddings',
      '--state',
      path.join(fixture.dir, 'clean.sqlite'),
      '--quiet',
    ]);
    expect(clean.code, clean.stderr).toBe(0);

    const target = 'killed_embeddings';
    const [victim, ...others] = ['a', 'b', 'c'].map((name) => startHost(fixture.dir, `killed-${name}`, command(target, ...smallTasks)));
    // Mid-run, once the victim has completed a range, and while its writes wait: it holds ranges not done.
    for (;;) {
      const mine = (await hostRows(fixture.db.client, `"public"."${target}"`)).find((h) => h.host.endsWith(`/${victim!.child.pid}`));
      if (mine && mine.ranges >= 1) break;
      await sleep(20);
    }
    const held = await holdWrites(fixture.db.url, target);
    await untilWritesWait(fixture.db.client, victim!);
    const before = await queueFacts(fixture.db.client, `"public"."${target}"`);
    expect(before.states.completed ?? 0).toBeLessThan(before.jobs);
    victim!.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await victim!.done).signal).toBe('SIGKILL');
    await held.release();
    const results = await Promise.all(others.map((h) => h.done));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    console.log(`after the kill the other hosts finished in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);

    const facts = await queueFacts(fixture.db.client, `"public"."${target}"`);
    expect(facts.states).toEqual({ completed: facts.jobs });
    // The victim's ranges were fetched again by the others.
    expect(facts.retried).toBeGreaterThan(0);

    const want = await storedEmbeddings(fixture.db.client, 'clean_embeddings');
    const got = await storedEmbeddings(fixture.db.client, target);
    expect(want.size).toBe(embeddable);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    let worst = 0;
    for (const [id, vector] of want) worst = Math.max(worst, maxAbsDifference(vector, got.get(id)!));
    expect(worst).toBeLessThanOrEqual(1e-6);
    const columns = await fixture.db.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM clean_embeddings c JOIN ${target} k USING (id)
        WHERE (c.model, c.content_hash, c.input_hash) IS DISTINCT FROM (k.model, k.content_hash, k.input_hash)`,
    );
    expect(Number(columns.rows[0]!.n)).toBe(0);
  });

  it('Ctrl-C on a host releases its ranges at once: the other host finishes without waiting out the lease', async () => {
    const target = 'interrupted_embeddings';
    const lease = 60;
    const [stopped, going] = ['a', 'b'].map((name) =>
      startHost(
        fixture.dir,
        `interrupted-${name}`,
        command(target, ...smallTasks).map((arg, i, all) => (all[i - 1] === '--lease' ? String(lease) : arg)),
      ),
    );
    for (;;) {
      const mine = (await hostRows(fixture.db.client, `"public"."${target}"`)).find((h) => h.host.endsWith(`/${stopped!.child.pid}`));
      if (mine && mine.ranges >= 1) break;
      await sleep(20);
    }
    // Its writes wait, so it stops mid-range: the tasks in flight finish, the range read next goes back.
    const held = await holdWrites(fixture.db.url, target);
    await untilWritesWait(fixture.db.client, stopped!);
    stopped!.child.kill('SIGINT');
    const interruptedAt = Date.now();
    await sleep(500);
    await held.release();
    const first = await stopped!.done;
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toMatch(/unfinished ranges went back to the queue/);
    const second = await going!.done;
    expect(second.code, second.stderr).toBe(0);
    // Released, not expired: the other host had them long before a lease could run out.
    expect(Date.now() - interruptedAt).toBeLessThan(lease * 1000);
    const facts = await queueFacts(fixture.db.client, `"public"."${target}"`);
    expect(facts.states).toEqual({ completed: facts.jobs });
    expect(facts.retried).toBeGreaterThan(0);
    expect(await distinctIds(target)).toBe(embeddable);
    expect(await countRows(fixture.db.client, target)).toBe(embeddable);
  });

  it('rows that fail on any host are listed by embed failures; embed status shows the pass as a whole', async () => {
    const target = 'cursed_embeddings';
    // A single-host run creates the target (and embeds a row), then a trigger rejects some ids.
    await createTargetOnOneHost({
      databaseUrl: fixture.db.url,
      modelDir,
      target,
      stateFile: path.join(fixture.dir, 'cursed-single.sqlite'),
    });
    await fixture.db.client.query(`
      CREATE FUNCTION reject_cursed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id % 997 = 0 THEN RAISE EXCEPTION 'row % is cursed', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_cursed BEFORE INSERT ON ${target} FOR EACH ROW EXECUTE FUNCTION reject_cursed();`);
    const cursed = Array.from({ length: Math.floor(rows / 997) }, (_, i) => String((i + 1) * 997));
    const hosts = ['a', 'b'].map((name) => startHost(fixture.dir, `cursed-${name}`, command(target)));
    const results = await Promise.all(hosts.map((h) => h.done));
    for (const result of results) expect(result.code, result.stderr).toBe(3);
    expect(results.reduce((n, r) => n + hostSummary(r).rowsEmbedded, 0)).toBe(embeddable - 1 - cursed.length);

    const lookup = ['sentences', '--database-url', fixture.db.url, '--target', target, '--state', path.join(hosts[0]!.dir, 'state.sqlite')];
    const listed = await runCli(['failures', ...lookup, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const failed = JSON.parse(listed.stdout) as { id: string; error: string; host: string }[];
    expect(failed.map((f) => f.id).sort()).toEqual([...cursed].sort());
    for (const f of failed) expect(f.error).toBe(`row ${f.id} is cursed (SQLSTATE P0001)`);
    expect(new Set(failed.map((f) => f.host)).size).toBeGreaterThan(0);

    const status = await runCli(['status', ...lookup, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.distributed.pass.ranges).toMatchObject({ running: 0, waiting: 0, failed: 0 });
    expect(report.distributed.pass.ranges.done).toBe(report.distributed.pass.ranges.total);
    expect(report.distributed.pass.failedRows).toBe(cursed.length);
    expect(report.distributed.pass.hosts).toHaveLength(2);
    expect(report).toMatchObject({ rowsTotal: rows, rowsDone: rows, etaSeconds: 0 });
    const text = await runCli(['status', ...lookup]);
    expect(text.stdout).toMatch(/ranges \d+ done, 0 running, 0 waiting, 0 failed/);
    expect(text.stdout).toMatch(/host +\S+: [\d,]+ rows in \d+ ranges, [\d.]+ rows\/s/);
  });

  it('a host that joins late takes ranges', async () => {
    const target = 'late_embeddings';
    // Tasks (and so ranges) of 200 rows: enough ranges left for the late host when it has started.
    const small = ['--sort-window', '200'];
    const early = startHost(fixture.dir, 'late-a', command(target, ...small));
    for (;;) {
      const facts = await queueFacts(fixture.db.client, `"public"."${target}"`);
      if ((facts.states.completed ?? 0) >= 3) break;
      await sleep(20);
    }
    // EMBED_DISTRIBUTED=1 instead of the flag.
    const late = startHost(
      fixture.dir,
      'late-b',
      command(target, ...small).filter((arg) => arg !== '--distributed'),
      { env: { EMBED_DISTRIBUTED: '1' } },
    );
    const [first, second] = await Promise.all([early.done, late.done]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/joined pass 1/);
    expect(hostSummary(second).distributed.ranges).toBeGreaterThan(0);
    expect(await distinctIds(target)).toBe(embeddable);
    expect(await countRows(fixture.db.client, target)).toBe(embeddable);
  });

  it("refuses, in one line and before writing, a host whose model file is not the job's", async () => {
    const target = 'hosts_2';
    const before = await countRows(fixture.db.client, target);
    const refused = await runCli(command(target, '--dtype', 'q8'), {}, fixture.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^embed: this host's model tiny-random@[0-9a-f]{12} is not the model of the distributed job on "public"\."hosts_2" \(tiny-random@[0-9a-f]{12}\); give every host the same model files$/m,
    );
    expect(await countRows(fixture.db.client, target)).toBe(before);
  });

  it('a finished pass is not planned again; a later run plans only the rows added since', async () => {
    const target = 'hosts_2';
    const quoted = `"public"."${target}"`;
    const before = await queueFacts(fixture.db.client, quoted);
    const again = await runCli(command(target), {}, fixture.dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/nothing to embed: pass 1 is finished/);
    expect(await queueFacts(fixture.db.client, quoted)).toEqual(before);

    await fixture.db.client.query(
      `INSERT INTO sentences (id, text) SELECT i, 'added later, number ' || i FROM generate_series(${rows + 1}, ${rows + 500}) AS i`,
    );
    const later = await runCli(command(target), {}, fixture.dir);
    expect(later.code, later.stderr).toBe(0);
    const after = await queueFacts(fixture.db.client, quoted);
    expect(after.passes).toHaveLength(2);
    expect(after.passes[1]).toMatchObject({ pass: 2, rows: 500, after_id: String(rows), last_id: String(rows + 500) });
    expect(after.jobs).toBe(before.jobs + after.passes[1]!.ranges);
    expect(hostSummary(later).rowsEmbedded).toBe(500);
    expect(await countRows(fixture.db.client, target)).toBe(embeddable + 500);
  });
});
