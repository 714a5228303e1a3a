/**
 * Identifiers and secrets, through the real CLI:
 * - table, schema and column names with spaces, quotes, mixed case or SQL in them work when quoted, and
 *   only ever reach the server as quoted identifiers; unquoted ones carrying SQL are refused (exit 2);
 *   a table named `victim` outlives every attempt;
 * - a password never appears in anything the tool prints (errors, --verbose stack traces, progress,
 *   JSON summary) nor in the state file, including the driver's own messages. Wrong passwords need a
 *   server that checks them, so that part runs on a server of its own (password authentication).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

describe('identifiers: quoted names work, SQL in names is never executed', () => {
  const modelDir = inject('tinyModelDir');
  const fixture = useTestDatabase('embed-identifiers-', async (db) => {
    await db.client.query('CREATE TABLE victim (id int PRIMARY KEY, text text)');
    await fixture.db.client.query(`INSERT INTO victim VALUES (1, 'still here')`);
  });
  const stateDir = fixture.dir;
  const embed = (args: string[]) =>
    runCli([
      ...args,
      '--workers',
      '2',
      '--model',
      modelDir,
      '--database-url',
      fixture.db.url,
      '--state',
      path.join(stateDir, 'state.sqlite'),
      '--quiet',
    ]);
  const victimExists = async () =>
    (await fixture.db.client.query(`SELECT to_regclass('public.victim') IS NOT NULL AS present`)).rows[0].present;
  const rowsIn = async (qualified: string) => (await fixture.db.client.query(`SELECT count(*)::int AS n FROM ${qualified}`)).rows[0].n;

  it.each([
    { name: 'spaces and mixed case', table: '"My Texts"', ddlName: '"My Texts"', target: '"My Texts_embeddings"' },
    { name: 'an embedded double quote', table: '"we""ird"', ddlName: '"we""ird"', target: '"we""ird_embeddings"' },
    {
      name: 'SQL in the name',
      table: '"x; DROP TABLE victim; --"',
      ddlName: '"x; DROP TABLE victim; --"',
      target: '"x; DROP TABLE victim; --_embeddings"',
    },
    { name: 'a quoted schema', table: '"Odd Schema"."T"', ddlName: '"Odd Schema"."T"', target: '"Odd Schema"."T_embeddings"' },
  ])('a table named with $name works when quoted', async ({ table, ddlName, target }) => {
    if (ddlName.startsWith('"Odd Schema"')) await fixture.db.client.query('CREATE SCHEMA "Odd Schema"');
    await fixture.db.client.query(`CREATE TABLE ${ddlName} ("Row ID" bigint PRIMARY KEY, "Body ""Text""" text)`);
    await fixture.db.client.query(`INSERT INTO ${ddlName} SELECT i, 'row ' || i FROM generate_series(1, 25) AS i`);
    const result = await embed([table, '--id-column', '"Row ID"', '--text-column', '"Body ""Text"""']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await rowsIn(target)).toBe(25);
    expect(await victimExists()).toBe(true);
  });

  it('a --target named with SQL is created as that name', async () => {
    await fixture.db.client.query('CREATE TABLE plain (id bigint PRIMARY KEY, text text)');
    await fixture.db.client.query(`INSERT INTO plain SELECT i, 'plain ' || i FROM generate_series(1, 10) AS i`);
    const result = await embed(['plain', '--target', '"out""; DROP TABLE victim; --"']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await rowsIn('"out""; DROP TABLE victim; --"')).toBe(10);
    expect(await victimExists()).toBe(true);
  });

  it.each([
    [['victim; DROP TABLE victim']],
    [['victim', '--text-column', 'text); DROP TABLE victim; --']],
    [['victim', '--id-column', 'id::text']],
    [['victim', '--target', 'x;drop table victim']],
    [['public.victim.extra']],
    [['"victim"; DROP TABLE victim; "x"']],
    [['"unterminated']],
  ])('unquoted SQL is refused, never run: %j', async (args) => {
    const result = await embed(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^embed: .*(not a valid identifier; if that is its real name, put it in double quotes|has more than schema\.table|must be a single column name)/,
    );
    expect(await victimExists()).toBe(true);
    expect((await fixture.db.client.query('SELECT count(*)::int AS n FROM victim')).rows[0].n).toBe(1);
  });
});

describe('secrets: a password never appears in any output', () => {
  const modelDir = inject('tinyModelDir');
  let stateDir: string;
  const serverPassword = 'Server-Pw-2f9d';
  const secret = 'S3cret:p@ss/with?odd#chars';
  const wrong = 'Wrong-Pw-77aa';
  let server: ThrowawayServer;
  const urlWith = (password: string, database = 'secrets') =>
    `postgres://secret_user:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${database}`;
  const embed = (url: string | undefined, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(
      [
        ...args,
        '--workers',
        '2',
        '--model',
        modelDir,
        '--state',
        path.join(stateDir, 'state.sqlite'),
        ...(url ? ['--database-url', url] : []),
      ],
      env,
    );
  const expectNoPassword = (result: CliResult) => {
    for (const output of [result.stdout, result.stderr]) {
      for (const password of [secret, encodeURIComponent(secret), wrong, serverPassword]) expect(output).not.toContain(password);
    }
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'embed-secrets-'));
    server = await startThrowawayServer(serverPassword);
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query(`CREATE ROLE secret_user LOGIN PASSWORD ${pg.escapeLiteral(secret)}`);
    await admin.query('CREATE DATABASE secrets OWNER secret_user');
    await admin.end();
    const owner = new pg.Client({ connectionString: urlWith(secret) });
    await owner.connect();
    await owner.query('CREATE TABLE notes (id bigint PRIMARY KEY, text text)');
    await owner.query(`INSERT INTO notes SELECT i, 'note ' || i FROM generate_series(1, 50) AS i`);
    await owner.end();
  });
  afterAll(async () => {
    await server?.destroy();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('a wrong password: the server refuses, the message names the user, not the password (also with --verbose)', async () => {
    for (const extra of [[], ['--verbose']]) {
      const result = await embed(urlWith(wrong), ['notes', ...extra]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^embed: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${server.port}/secrets: password authentication failed for user "secret_user"`,
        ),
      );
      expectNoPassword(result);
    }
    const fromEnvironment = await embed(`postgres://secret_user@127.0.0.1:${server.port}/secrets`, ['notes'], { PGPASSWORD: wrong });
    expect(fromEnvironment.code).toBe(1);
    expect(fromEnvironment.stderr).toMatch(/password authentication failed/);
    expectNoPassword(fromEnvironment);
  });

  it('errors after connecting, a malformed URL, and a whole successful run print no password, nor store one', async () => {
    const missing = await embed(urlWith(secret), ['nowhere', '--verbose']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^embed: table "nowhere" does not exist/);
    expectNoPassword(missing);

    const malformed = await embed(`postgres://secret_user:${secret}@127.0.0.1:${server.port}/secrets`, ['notes', '--verbose']);
    expect(malformed.code).not.toBe(0);
    expectNoPassword(malformed);

    const done = await embed(urlWith(secret), ['notes', '--json', '--verbose']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ rowsEmbedded: 50 });
    expectNoPassword(done);
    const human = await embed(urlWith(secret), ['notes']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^done: 0 rows embedded/);
    expectNoPassword(human);
    for (const file of readdirSync(stateDir)) {
      const bytes = readFileSync(path.join(stateDir, file)).toString('latin1');
      expect(bytes, file).not.toContain(secret);
      expect(bytes, file).not.toContain(encodeURIComponent(secret));
    }
  });
});
