/**
 * What finding work costs a plain run, against --refresh, on one large table (1,000,000 rows by default)
 * that a complete pass has already embedded: seconds of the whole command and CPU seconds of the
 * PostgreSQL server, for
 *   - a run with nothing to do while another session was just busy in the database (the counters cannot
 *     vouch for the table, so the rows written since the last pass are looked for),
 *   - the same once every other session has been idle long enough (the counters prove nothing changed),
 *   - a run after 1% of the rows' texts were edited,
 *   - --refresh with nothing to do, and after another 1% were edited.
 * The cost of finding work does not depend on the model: the target is filled on the server with the
 * right content hashes (the tiny-random model's one vector copied), then a --rebuild-state pass records
 * the snapshot later runs catch up from. Server CPU is read from /proc (see embed-process.ts): run it
 * on a quiet server.
 *
 *   npm run bench:capture -- [--rows N] [--database-url URL]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureModel } from '../scripts/make-model.js';
import { fillTarget as fillTargetOf, loadTable as loadTableOf } from './capture-table.js';
import { measure, runEmbed } from './embed-process.js';
import { formatMachineFacts, machineFacts } from './machine-facts.js';
import { fixed, formatTable } from './text-table.js';

const table = 'capture_bench';
const loadTable = (client: pg.Client, rows: number) => loadTableOf(client, table, rows);
const fillTarget = (client: pg.Client) => fillTargetOf(client, table);
const embed = (args: string[]) => runEmbed(args);

interface Measured {
  case: string;
  seconds: number;
  serverCpuSeconds: number | null;
  rowsEmbedded: number;
  note: string;
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rows: { type: 'string', default: '1000000' }, 'database-url': { type: 'string' } } });
  const rows = Number(values.rows);
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const modelDir = await ensureModel('tiny-random');
  const state = path.join(mkdtempSync(path.join(os.tmpdir(), 'capture-bench-')), 'state.sqlite');
  const command = [table, '100', '--workers', '2', '--model', modelDir, '--database-url', databaseUrl, '--state', state, '--json'];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    console.log(`bench capture: ${rows.toLocaleString('en-US')} rows, model tiny-random\n${formatMachineFacts(machineFacts())}`);
    await loadTable(client, rows);
    // Creates and claims the target with one real row, fills it on the server, then records a complete pass.
    await embed([...command, '--limit', '1']);
    await fillTarget(client);
    await embed([...command, '--rebuild-state']);

    // The command's start-up (workers, model, target checks) on a one-row table, for scale.
    await client.query(`DROP TABLE IF EXISTS ${table}_one_embeddings, ${table}_one`);
    await client.query(`CREATE TABLE ${table}_one (id bigint PRIMARY KEY, text text)`);
    await client.query(`INSERT INTO ${table}_one VALUES (1, 'one row')`);
    const one = [`${table}_one`, ...command.slice(1, -3), '--state', `${state}.one`, '--json'];
    await embed(one);

    const results: Measured[] = [];
    const timed = async (name: string, extra: string[], note: string, args = command) => {
      const { value: report, seconds, serverCpuSeconds } = await measure(() => embed([...args, ...extra]));
      results.push({ case: name, seconds, serverCpuSeconds, rowsEmbedded: report.rowsEmbedded, note });
      console.log(`  ${name}: ${seconds.toFixed(2)} s, ${report.rowsEmbedded} rows embedded`);
    };
    await timed('start-up alone: plain, 1-row table', [], 'for scale', one);
    await client.query('SELECT 1');
    await timed('plain, nothing to do', [], 'another session active in the last 15 s: rows written since are looked for');
    await client.end();
    await new Promise((resolve) => setTimeout(resolve, 17_000));
    await timed('plain, nothing to do, database idle', [], 'counters unchanged and every session idle: no row read');
    const edit = new pg.Client({ connectionString: databaseUrl });
    await edit.connect();
    const editShare = async () =>
      edit.query(`UPDATE ${table} SET text = text || ' (edited)' WHERE id IN (SELECT id FROM ${table} ORDER BY random() LIMIT $1)`, [
        Math.round(rows / 100),
      ]);
    await editShare();
    await timed('plain, 1% of texts edited', [], 'catch-up pass');
    await timed('--refresh, nothing to do', ['--refresh'], 'every row compared');
    await editShare();
    await timed('--refresh, 1% of texts edited', ['--refresh'], 'every row compared');
    await edit.end();
    console.log(
      '\n' +
        formatTable(
          ['case', 'seconds', 'server CPU s', 'rows embedded', 'note'],
          results.map((r) => [
            r.case,
            fixed(r.seconds, 2),
            r.serverCpuSeconds === null ? 'n/a' : fixed(r.serverCpuSeconds, 2),
            String(r.rowsEmbedded),
            r.note,
          ]),
        ),
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

await main(process.argv.slice(2));
