/**
 * Bad arguments and setup, through the real CLI: each ends in one line on stderr that says what is wrong
 * (no stack trace unless --verbose) and the documented exit code (2 usage, 1 error), and leaves nothing a
 * rerun cannot fix. The id types users have (bigint, int, uuid, text) all work, in their own order.
 *
 * Longer than 250 lines because each refusal is one short case, and they read best side by side.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { createTextTable } from '../helpers/fixtures.js';
import { freePort } from '../helpers/free-port.js';

/** The whole of stderr is `embed: <message>` (plus the usage hint for exit 2), and nothing on stdout. */
function expectOneLineError(result: CliResult, code: 1 | 2, message: RegExp) {
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(code === 2 ? 2 : 1);
  expect(lines[0]).toMatch(message);
  if (code === 2) expect(lines[1]).toBe('run embed --help for usage');
  expect(result.code).toBe(code);
}

describe('bad arguments and setup', () => {
  const modelDir = inject('tinyModelDir');
  const role = `embed_test_role_${randomBytes(4).toString('hex')}`;
  const rolePassword = `pw-${randomBytes(6).toString('hex')}`;
  // Registered before the fixture, so it runs after the fixture has dropped the database the role has grants in.
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });
  const fixture = useTestDatabase('embed-bad-args-', async (db) => {
    await createTextTable(db.client, 'sentences', 60);
    await db.client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePassword}'`);
    const url = new URL(db.url);
    url.username = role;
    url.password = rolePassword;
    roleUrl = url.toString();
  });
  const tmp = fixture.dir;
  let roleUrl: string;

  const embed = (args: string[], url = fixture.db.url) =>
    runCli([...args, '--workers', '2', '--database-url', url, '--state', path.join(tmp, 'state.sqlite')]);

  it.each([
    { args: ['sentences', '0'], message: /^embed: batch size must be a whole number of at least 1, got "0"$/ },
    { args: ['sentences', '-5'], message: /^embed: batch size must be a whole number of at least 1, got "-5"$/ },
    { args: ['sentences', '99999999'], message: /^embed: batch size must be at most 100000, got 99999999$/ },
    { args: ['sentences', 'ten'], message: /^embed: batch size must be a whole number of at least 1, got "ten"$/ },
    { args: ['sentences', '--workers', '0'], message: /^embed: --workers must be auto or a whole number of at least 1, got "0"$/ },
    { args: ['sentences', '--workers', 'many'], message: /^embed: --workers must be auto or a whole number of at least 1, got "many"$/ },
    { args: ['sentences', '--db-down-budget', '0'], message: /^embed: --db-down-budget must be a whole number of seconds of at least 1/ },
    {
      args: ['sentences', '--lock-timeout', '-1'],
      message: /^embed: --lock-timeout must be a whole number of seconds \(0 for no limit\), got "-1"$/,
    },
    { args: ['sentences', '--bogus'], message: /^embed: unknown option --bogus$/ },
    { args: ['sentences', '--text-colum', 'body'], message: /^embed: unknown option --text-colum; did you mean --text-column\?$/ },
    { args: ['sentences', '--sort-windw', '800'], message: /^embed: unknown option --sort-windw; did you mean --sort-window\?$/ },
    {
      args: ['sentences', '100', 'extra'],
      message: /^embed: unexpected argument "extra": embed <table> \[batchSize\] takes flags after that$/,
    },
    {
      args: ['status', 'sentences', '--workers', '2'],
      message: /^embed: --workers is an option of embed <table>, not of embed status <table>$/,
    },
    { args: ['status', 'sentences', '--targt', 'x'], message: /^embed: unknown option --targt; did you mean --target\?$/ },
    { args: [], message: /^embed: which table\? give it first: embed <table> \[batchSize\] \[options\]$/ },
    {
      args: ['sentences; DROP TABLE sentences'],
      message: /^embed: table name .* is not a valid identifier; if that is its real name, put it in double quotes$/,
    },
  ])('usage error, exit 2: $args', async ({ args, message }) => {
    // --workers comes last in the command line, so these runs pass their own first.
    const result = await runCli([
      ...args,
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(tmp, 'usage.sqlite'),
    ]);
    expectOneLineError(result, 2, message);
  });

  it('unknown model, a model folder missing files, a corrupt ONNX file: one line, exit 1, early', async () => {
    const unknown = await embed(['sentences', '--model', 'no-such-model-f6']);
    expectOneLineError(
      unknown,
      1,
      /^embed: model no-such-model-f6 is not in .*no-such-model-f6 and could not be downloaded: .*minilm-l6-random$/,
    );

    // A path is reported as the path given, not as a folder under models/.
    const absolute = path.join(tmp, 'my-models', 'minilm');
    expectOneLineError(
      await embed(['sentences', '--model', absolute]),
      1,
      new RegExp(`^embed: model ${absolute}: no such folder; --model takes`),
    );
    const relative = await runCli(
      ['sentences', '--model', './nowhere/model', '--database-url', fixture.db.url, '--state', path.join(tmp, 'state.sqlite')],
      {},
      tmp,
    );
    expectOneLineError(
      relative,
      1,
      new RegExp(`^embed: model \\./nowhere/model: no such folder \\(${path.join(tmp, 'nowhere', 'model')}\\);`),
    );

    const incomplete = path.join(tmp, 'incomplete-model');
    cpSync(modelDir, incomplete, { recursive: true });
    rmSync(path.join(incomplete, 'tokenizer.json'));
    expectOneLineError(await embed(['sentences', '--model', incomplete]), 1, /^embed: model .*incomplete-model: .* lacks tokenizer\.json;/);

    const corrupt = path.join(tmp, 'corrupt-model');
    cpSync(modelDir, corrupt, { recursive: true });
    writeFileSync(path.join(corrupt, 'onnx', 'model.onnx'), randomBytes(4096));
    const startedAt = Date.now();
    const broken = await embed(['sentences', '--model', corrupt, '--target', 'after_corrupt']);
    expectOneLineError(broken, 1, /^embed: cannot load ONNX model .*model\.onnx: .*failed/);
    // The model is loaded once before the target is touched: the run stops at once and creates nothing.
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect((await fixture.db.client.query(`SELECT to_regclass('after_corrupt') AS t`)).rows[0].t).toBeNull();
    const fixed = await embed(['sentences', '--model', modelDir, '--target', 'after_corrupt', '--quiet']);
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
  });

  it('missing table or column, an id that is not unique: one line, exit 1', async () => {
    await fixture.db.client.query('CREATE TABLE no_key (id int, text text)');
    await fixture.db.client.query('CREATE TABLE two_ids (id int PRIMARY KEY, other int, text text)');
    const cases: [string[], RegExp][] = [
      [['nowhere'], /^embed: table "nowhere" does not exist; check the name and schema$/],
      [['sentences', '--text-column', 'body'], /^embed: table "sentences" has no column "body"; name the right one with --text-column$/],
      [['sentences', '--id-column', 'key'], /^embed: table "sentences" has no column "key"; name the right one with --id-column$/],
      [['no_key'], /^embed: id column "id" of "no_key" is not a primary key or unique; pick one that is with --id-column$/],
      [['two_ids', '--id-column', 'other'], /^embed: id column "other" of "two_ids" is not a primary key or unique;/],
    ];
    for (const [args, message] of cases) expectOneLineError(await embed([...args, '--model', modelDir]), 1, message);

    const verbose = await embed(['nowhere', '--model', modelDir, '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^embed: table "nowhere" does not exist/);
    expect(verbose.stderr).toMatch(/^\s+at .*source-table\.js/m);
  });

  it.each([
    { type: 'bigint', ids: 'SELECT i::bigint * 1000000007 FROM generate_series(1, 300) AS i' },
    { type: 'int', ids: 'SELECT (i * 7919) % 100003 - 50000 FROM generate_series(1, 300) AS i' },
    { type: 'uuid', ids: 'SELECT gen_random_uuid() FROM generate_series(1, 300)' },
    {
      type: 'text',
      ids: `SELECT x FROM unnest(ARRAY['', ' ', 'A', 'a', 'B', 'Ä', 'ä', '10', '9', '😀', 'row "quoted"', $$it's$$]) AS x
            UNION ALL SELECT 'row ' || i FROM generate_series(1, 288) AS i`,
    },
  ])('$type ids: every row embedded once, across pages and a resume', async ({ type, ids }) => {
    const table = `ids_${type}`;
    await fixture.db.client.query(`CREATE TABLE ${table} (id ${type} PRIMARY KEY, text text)`);
    await fixture.db.client.query(`INSERT INTO ${table} SELECT id, 'text of row ' || id::text FROM (${ids}) AS g(id)`);
    const args = [table, '7', '--model', modelDir, '--json', '--state', path.join(tmp, `${table}.sqlite`)];
    const first = await runCli([...args, '--limit', '100', '--database-url', fixture.db.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const rest = await runCli([...args, '--database-url', fixture.db.url]);
    expect(rest.stderr).toBe('');
    expect(rest.code).toBe(0);
    expect(JSON.parse(first.stdout).rowsEmbedded + JSON.parse(rest.stdout).rowsEmbedded).toBe(300);
    const check = await fixture.db.client.query(
      `SELECT count(*)::int AS stored, count(DISTINCT e.id)::int AS distinct_ids,
              (SELECT count(*)::int FROM ${table} s WHERE NOT EXISTS (SELECT 1 FROM ${table}_embeddings e2 WHERE e2.id = s.id)) AS missing
         FROM ${table}_embeddings e`,
    );
    expect(check.rows[0]).toEqual({ stored: 300, distinct_ids: 300, missing: 0 });
  });

  it('no database reachable: one line naming host and port, exit 1, no password', async () => {
    const port = await freePort();
    const refused = await embed(['sentences', '--model', modelDir], `postgres://someone:Hunter2-secret@127.0.0.1:${port}/db`);
    // Said as psql says it: what happened, and what to check.
    expectOneLineError(
      refused,
      1,
      new RegExp(
        `^embed: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/db: connection refused: is the server running on that host and accepting TCP/IP connections on that port\\? Check --database-url`,
      ),
    );
    expect(refused.stderr).not.toContain('Hunter2-secret');
    const unknownHost = await embed(['sentences', '--model', modelDir], 'postgres://someone:Hunter2-secret@no-such-host.invalid:5432/db');
    expectOneLineError(
      unknownHost,
      1,
      /^embed: cannot connect to PostgreSQL at no-such-host\.invalid:5432\/db: could not translate the host name to an address \((ENOTFOUND|EAI_AGAIN)\); check the host in --database-url/,
    );
    expect(unknownHost.stderr).not.toContain('Hunter2-secret');
  });

  it('permission denied: on the source, on creating the target, on writing an existing target', async () => {
    await fixture.db.client.query(`CREATE TABLE guarded (id bigint PRIMARY KEY, text text)`);
    await fixture.db.client.query(`INSERT INTO guarded SELECT i, 'guarded row ' || i FROM generate_series(1, 20) AS i`);
    const asRole = (args: string[]) => embed([...args, '--model', modelDir], roleUrl);

    expectOneLineError(await asRole(['guarded']), 1, /^embed: no permission to read "guarded"; GRANT SELECT ON "guarded" to this role$/);
    await fixture.db.client.query(`GRANT SELECT, REFERENCES ON guarded TO ${role}`);
    expectOneLineError(
      await asRole(['guarded']),
      1,
      /^embed: cannot create target "public"\."guarded_embeddings": permission denied for schema public; grant the rights or pass --target$/,
    );
    // Created by someone else, readable but not writable by this role.
    const owner = await embed(['guarded', '--model', modelDir, '--limit', '5', '--quiet']);
    expect(owner.code).toBe(0);
    await fixture.db.client.query(`GRANT SELECT ON guarded_embeddings TO ${role}`);
    expectOneLineError(
      await asRole(['guarded']),
      1,
      /^embed: no permission to write the embeddings: GRANT SELECT, INSERT, UPDATE ON "public"\."guarded_embeddings" TO this role$/,
    );
    await fixture.db.client.query(`GRANT INSERT, UPDATE ON guarded_embeddings TO ${role}`);
    // Binary COPY stages in a temporary table.
    const database = new URL(fixture.db.url).pathname.slice(1);
    await fixture.db.client.query(`REVOKE TEMP ON DATABASE ${database} FROM PUBLIC`);
    expectOneLineError(
      await asRole(['guarded']),
      1,
      new RegExp(
        `^embed: no permission to create the temporary table binary COPY stages in: GRANT TEMP ON DATABASE "${database}" TO this role \\(or pass --write-method insert\\)$`,
      ),
    );
    await fixture.db.client.query(`GRANT TEMP ON DATABASE ${database} TO ${role}`);
    const granted = await asRole(['guarded', '--quiet']);
    expect(granted.stderr).toBe('');
    expect(granted.code).toBe(0);
    expect((await fixture.db.client.query('SELECT count(*)::int AS n FROM guarded_embeddings')).rows[0].n).toBe(20);
  });

  it('a target of an incompatible shape, id type or dimension is refused before any batch', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'shape_missing',
        'CREATE TABLE shape_missing (id bigint PRIMARY KEY, vec real[])',
        /^embed: target "public"\."shape_missing" has no column embedding, model, content_hash, embedded_at; pass --target NEW_TABLE or drop it and run again$/,
      ],
      [
        'shape_type',
        'CREATE TABLE shape_type (id bigint PRIMARY KEY, embedding text, model text, content_hash text, embedded_at timestamptz)',
        /^embed: target "public"\."shape_type" stores embeddings as text, not vector, halfvec or real\[\];/,
      ],
      [
        'shape_id',
        'CREATE TABLE shape_id (id uuid PRIMARY KEY, embedding real[], model text, content_hash text, embedded_at timestamptz)',
        /^embed: target "public"\."shape_id" has an id of type uuid but "public"\."sentences" has bigint ids;/,
      ],
      [
        'shape_dimension',
        `CREATE TABLE shape_dimension (id bigint PRIMARY KEY, embedding real[] NOT NULL, model text, content_hash text, embedded_at timestamptz);
         INSERT INTO shape_dimension VALUES (1, '{1,2,3,4,5}', 'other-model', 'x', now())`,
        /^embed: target "public"\."shape_dimension" holds 5-dimension embeddings but the model gives 32;/,
      ],
    ];
    for (const [target, ddl, message] of cases) {
      await fixture.db.client.query(ddl);
      expectOneLineError(await embed(['sentences', '--model', modelDir, '--target', target]), 1, message);
    }
    const untouched = await fixture.db.client.query(`SELECT count(*)::int AS n FROM shape_dimension`);
    expect(untouched.rows[0].n).toBe(1);
  });
});
