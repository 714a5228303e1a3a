/**
 * Plain-run options with --distributed, through the real CLI: --retry-failed retries the rows that
 * failed on any host (they are listed in the queue schema, not in a host's state file); the options that
 * make no sense across hosts are refused in one line that says what to do, before anything is written.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTargetOnOneHost, hostSummary, startHost } from '../helpers/hosts.js';
import { countRows, embeddableRows } from '../helpers/progress.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

const rows = 1_000;

describe('embed --distributed with plain-run options', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useSentencesTable(rows, 'embed-distributed-flags-');
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
  const failures = async (target: string, dir: string) => {
    const listed = await runCli([
      'failures',
      'sentences',
      '--database-url',
      fixture.db.url,
      '--target',
      target,
      '--state',
      path.join(dir, 'state.sqlite'),
      '--json',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    return (JSON.parse(listed.stdout) as { id: string; attempts: number }[]).sort((a, b) => Number(a.id) - Number(b.id));
  };

  it('--retry-failed retries the rows that failed on any host: those written leave the list, the others stay with one more attempt', async () => {
    const target = 'retried';
    await createTargetOnOneHost({
      databaseUrl: fixture.db.url,
      modelDir,
      target,
      stateFile: path.join(fixture.dir, 'retried-single.sqlite'),
    });
    await fixture.db.client.query(`
      CREATE TABLE cursed (id bigint PRIMARY KEY);
      INSERT INTO cursed SELECT i * 97 FROM generate_series(1, ${Math.floor(rows / 97)}) AS i;
      CREATE FUNCTION reject_cursed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF EXISTS (SELECT 1 FROM cursed WHERE id = NEW.id) THEN RAISE EXCEPTION 'row % is cursed', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_cursed BEFORE INSERT ON ${target} FOR EACH ROW EXECUTE FUNCTION reject_cursed();`);
    const cursed = Math.floor(rows / 97);
    const hosts = ['a', 'b'].map((name) => startHost(fixture.dir, `retried-${name}`, command(target)));
    for (const result of await Promise.all(hosts.map((h) => h.done))) expect(result.code, result.stderr).toBe(3);
    expect((await failures(target, hosts[0]!.dir)).map((f) => f.attempts)).toEqual(Array(cursed).fill(1));

    // Half of them can be written now: a retry on one host writes those and keeps the rest listed.
    await fixture.db.client.query(`DELETE FROM cursed WHERE id % 2 = 0`);
    const stillCursed = (await fixture.db.client.query<{ id: string }>(`SELECT id::text AS id FROM cursed ORDER BY cursed.id`)).rows.map(
      (r) => r.id,
    );
    const first = await runCli(
      [...command(target, '--retry-failed'), '--state', path.join(hosts[1]!.dir, 'state.sqlite')],
      {},
      hosts[1]!.dir,
    );
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(new RegExp(`retrying ${cursed} row\\(s\\) that failed on the job's hosts`));
    expect(first.stderr).toMatch(
      new RegExp(`embed: ${stillCursed.length} row\\(s\\) failed again; they stay listed by "embed failures sentences"`),
    );
    expect(hostSummary(first).rowsEmbedded).toBe(cursed - stillCursed.length);
    const left = await failures(target, hosts[0]!.dir);
    expect(left.map((f) => f.id)).toEqual(stillCursed);
    expect(left.map((f) => f.attempts)).toEqual(Array(stillCursed.length).fill(2));

    await fixture.db.client.query(`DROP TABLE cursed CASCADE; DROP TRIGGER reject_cursed ON ${target}`);
    const second = await runCli(
      [...command(target, '--retry-failed'), '--state', path.join(hosts[0]!.dir, 'state.sqlite')],
      {},
      hosts[0]!.dir,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(hostSummary(second).rowsEmbedded).toBe(stillCursed.length);
    expect(await failures(target, hosts[0]!.dir)).toEqual([]);
    expect(await countRows(fixture.db.client, target)).toBe(embeddableRows(rows));
    const nothing = await runCli(
      [...command(target, '--retry-failed'), '--state', path.join(hosts[0]!.dir, 'state.sqlite')],
      {},
      hosts[0]!.dir,
    );
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stderr).toMatch(/no failed rows to retry in the distributed job/);
  });

  it.each([
    [
      ['--limit', '5'],
      /^embed: --limit is not available with --distributed: a pass covers every row it planned; to embed at most N rows, run embed sentences --limit N on one host$/,
    ],
    [
      ['--refresh'],
      /^embed: --refresh is not available with --distributed: later --distributed runs already take late commits and edited texts; for the full compare run embed sentences --refresh on one host$/,
    ],
    [
      ['--rebuild-state'],
      /^embed: --rebuild-state is not available with --distributed: its progress lives in the queue, .*embed drop-queue/,
    ],
    [['--restart'], /^embed: --restart is not available with --distributed: run embed sentences --restart on one host/],
    [['--metrics'], /^embed: --metrics is not available with --distributed: run embed sentences --metrics on one host$/],
    [['--metrics-only'], /^embed: --metrics-only is not available with --distributed: run embed sentences --metrics-only on one host$/],
    [['--metrics-port', '0'], /^embed: --metrics-port is not available with --distributed: follow the pass with embed status sentences/],
    [['--log-format', 'json'], /^embed: --log-format json is not available with --distributed: .*embed status sentences --json$/],
  ])('refuses %j in one line, before anything is written', async (flags, message) => {
    const result = await runCli([...command('refused', ...flags), '--state', path.join(fixture.dir, 'refused.sqlite')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message), 'run embed --help for usage']);
    const target = await fixture.db.client.query(`SELECT to_regclass('refused') AS t`);
    expect(target.rows[0].t).toBeNull();
  });
});
