/**
 * Finds the job that `status`, `failures` and `reset` talk about. A job's identity holds the model's
 * file hash and every default the run resolved, which a user does not retype; so jobs are looked up by
 * database and table, narrowed by whichever of --model, --target, --column, --id-column, --text-column
 * and --text were given, and one match is required.
 */
import type pg from 'pg';
import { defaults } from '../config/defaults.js';
import type { ArgsOf, jobOptions } from '../config/options.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { connect, connectionConfig, databaseIdentity, recordedDatabase } from '../db/database.js';
import { DatabaseError, StateError, UsageError } from '../../common/errors.js';
import { chunkWindowText, parseChunkWindow } from '../../common/chunk-window.js';
import { modelName } from '../model/model-folder.js';
import { describeSource, type SourceTable } from '../source/source-table.js';
import { parseTextTemplate } from '../config/text-template.js';
import { tableSchemaSql } from '../source/source-sql.js';
import type { JobIdentity, JobState } from '../state/job-state.js';
import { jobText, shownJobText } from '../state/job-text.js';
import { StateStore } from '../state/state-store.js';
import { parseColumnName, parseTableName, quoteIdentifier, quoteTable, type TableName } from '../db/table-name.js';
import { describeTarget, type TargetInfo } from '../target/target-table.js';

/**
 * The flags that pick a job (jobOptions in src/config/options.ts), as yargs hands them over; textTemplate
 * is the --text of status, failures and reset (jobTextOption).
 */
export type JobLookupArgs = { table: string; textTemplate?: string } & Omit<ArgsOf<typeof jobOptions>, 'json'>;

export interface LookupConfig {
  table: TableName;
  model?: string;
  target?: TableName;
  column?: string;
  idColumn?: string;
  textColumn?: string;
  /** The --text template, canonical. */
  text?: string;
  /** The job's --chunk window as the state file records it (`256:32`). */
  chunk?: string;
  databaseUrl?: string;
  /** Where databaseUrl came from, for saying which database was read. */
  databaseFrom: string;
  statePath: string;
}

export function resolveLookupConfig(args: JobLookupArgs, env: NodeJS.ProcessEnv = process.env): LookupConfig {
  if (args.target !== undefined && args.column !== undefined) {
    throw new UsageError('--target and --column exclude each other: a job writes to a side table or to a column, not both');
  }
  const statePath = args.state ?? env.EMBED_STATE ?? defaults.statePath;
  if (statePath.trim() === '') throw new UsageError(`${args.state !== undefined ? '--state' : 'EMBED_STATE'} must not be empty`);
  return {
    table: parseTableName(args.table),
    model: args.model ?? (env.EMBED_MODEL || undefined),
    target: args.target === undefined ? undefined : parseTableName(args.target, '--target'),
    column: args.column === undefined ? undefined : parseColumnName(args.column, '--column'),
    idColumn: args.idColumn === undefined ? undefined : parseColumnName(args.idColumn, '--id-column'),
    textColumn: args.textColumn === undefined ? undefined : parseColumnName(args.textColumn, '--text-column'),
    text: args.textTemplate === undefined ? undefined : parseTextTemplate(args.textTemplate, '--text').canonical,
    chunk: args.chunk === undefined ? undefined : chunkWindowText(parseChunkWindow(args.chunk, '--chunk')),
    databaseUrl: args.databaseUrl ?? (env.DATABASE_URL || undefined),
    databaseFrom: args.databaseUrl !== undefined ? '--database-url' : env.DATABASE_URL ? 'DATABASE_URL' : 'the PG* variables',
    statePath,
  };
}

/** An open state file and database connection; close() releases both. */
export interface LookupSession {
  config: LookupConfig;
  state: StateStore;
  client: pg.Client;
  database: string;
  /** How the database was chosen: the flag, a variable, or the one recorded for the table's jobs. */
  databaseFrom: string;
  /** The source table's quoted, schema-qualified name. */
  sourceSql: string;
  /** Jobs on this table that match the flags given. */
  jobs: JobState[];
  close(): Promise<void>;
}

/** Which database a lookup read (host:port/database, never credentials) and how it was chosen. */
export interface DatabaseRead {
  read: string;
  from: string;
}

export function databaseRead(session: Pick<LookupSession, 'database' | 'databaseFrom'>): DatabaseRead {
  return { read: session.database, from: session.databaseFrom };
}

/** The line status, failures and reset end with, so that the database a command acted on is never a guess. */
export function databaseLine(database: DatabaseRead): string {
  return `database    ${database.read}, ${database.from}`;
}

export async function openLookup(args: JobLookupArgs): Promise<LookupSession> {
  const config = resolveLookupConfig(args);
  const state = StateStore.open(config.statePath, { ifCorrupt: 'refuse', mustExist: true });
  let client: pg.Client;
  let chosen: { connection: ConnectionConfig; from: string };
  try {
    chosen = chooseDatabase(config, state);
    client = await connect(chosen.connection);
  } catch (error) {
    state.close();
    throw error;
  }
  const session: LookupSession = {
    config,
    state,
    client,
    database: databaseIdentity(chosen.connection),
    databaseFrom: chosen.from,
    sourceSql: '',
    jobs: [],
    async close() {
      state.close();
      await client.end();
    },
  };
  try {
    session.sourceSql = await qualifiedName(client, config.table);
    session.jobs = state.jobs().filter((job) => matches(job.identity, session));
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

/**
 * The database named by --database-url, DATABASE_URL or PGHOST/PGPORT/PGDATABASE; with none of them, the
 * one the state file recorded for the table's jobs (server and database only: who connects comes from
 * PGUSER/PGPASSWORD or ~/.pgpass, as for psql).
 */
function chooseDatabase(
  config: LookupConfig,
  state: StateStore,
  env: NodeJS.ProcessEnv = process.env,
): { connection: ConnectionConfig; from: string } {
  if (config.databaseUrl !== undefined || env.PGHOST || env.PGPORT || env.PGDATABASE) {
    return { connection: connectionConfig(config.databaseUrl), from: config.databaseFrom };
  }
  const onTable = state.jobs().filter(({ identity }) => {
    const source = parseTableName(identity.source);
    return source.name === config.table.name && (config.table.schema === undefined || source.schema === config.table.schema);
  });
  const databases = [...new Set(onTable.map(({ identity }) => identity.database))];
  if (databases.length > 1) {
    throw new UsageError(
      `the state file has jobs on ${config.table.name} in ${databases.length} databases (${databases.join(', ')}); pick one with --database-url`,
    );
  }
  const recorded = databases[0] === undefined ? undefined : recordedDatabase(databases[0]);
  if (recorded === undefined) return { connection: connectionConfig(undefined), from: 'the PostgreSQL defaults' };
  return { connection: recorded, from: 'recorded for the job (no --database-url, DATABASE_URL or PG* variable given)' };
}

/** The one job the flags pick, or an error that says how to pick. */
export function singleJob(session: LookupSession): JobState {
  const { jobs, sourceSql, state } = session;
  if (jobs.length === 1) return jobs[0]!;
  if (jobs.length === 0) {
    throw new StateError(
      `state file ${state.file} has no job for ${sourceSql} with these flags; pass the --state (and --model, --target) the job ran with`,
    );
  }
  const texts = new Set(jobs.map((job) => jobText(job.identity)));
  // Jobs that differ only in their text (another column or template into the same target) say which they read.
  const chunks = (job: JobState) => (job.identity.chunk === undefined ? '' : ` chunks ${job.identity.chunk}`);
  const listed = jobs
    .map(
      (job) =>
        `${job.identity.model}${chunks(job)} -> ${job.identity.target}${texts.size > 1 ? ` from ${shownJobText(job.identity)}` : ''}`,
    )
    .join(', ');
  const by = ['--model', '--target'];
  if (texts.size > 1) by.push('--text-column', '--text');
  if (jobs.some((job) => job.identity.chunk !== undefined)) by.push('--chunk');
  throw new UsageError(
    `${jobs.length} jobs on ${sourceSql} in ${state.file} (${listed}); pick one with ${by.slice(0, -1).join(', ')} or ${by.at(-1)}`,
  );
}

/** The source table and target of a recorded job, as the run that recorded it saw them. */
export async function jobTables(client: pg.ClientBase, identity: JobIdentity): Promise<{ source: SourceTable; target: TargetInfo }> {
  // The run that recorded the job accepted its columns' types (with --cast-text when they needed it).
  const text = identity.text === undefined ? (identity.textColumn ?? '') : parseTextTemplate(identity.text, '--text');
  const source = await describeSource(client, parseTableName(identity.source), identity.idColumn, text, { castText: true });
  const model = {
    name: identity.model,
    fileHash: identity.modelHash,
    profile: { ...(identity.profile !== undefined && { mark: identity.profile }) },
    ...(identity.chunk !== undefined && { chunk: parseChunkWindow(identity.chunk, 'the recorded chunk window') }),
  };
  const columnPrefix = `${source.sql}.`;
  const target = identity.target.startsWith(columnPrefix)
    ? describeTarget(source, model, { column: parseColumnName(identity.target.slice(columnPrefix.length), 'column') })
    : describeTarget(source, model, { target: parseTableName(identity.target) });
  return { source, target };
}

function matches(identity: JobIdentity, session: LookupSession): boolean {
  const { config } = session;
  if (identity.database !== session.database || identity.source !== session.sourceSql) return false;
  if (config.idColumn !== undefined && identity.idColumn !== config.idColumn) return false;
  if (config.textColumn !== undefined && identity.textColumn !== config.textColumn) return false;
  if (config.text !== undefined && identity.text !== config.text) return false;
  if (config.model !== undefined && identity.model !== modelName(config.model)) return false;
  if (config.chunk !== undefined && identity.chunk !== config.chunk) return false;
  if (config.column !== undefined && identity.target !== `${session.sourceSql}.${quoteIdentifier(config.column)}`) return false;
  if (config.target !== undefined) {
    const schema = config.target.schema ?? parseTableName(session.sourceSql).schema;
    if (identity.target !== quoteTable({ schema, name: config.target.name })) return false;
  }
  return true;
}

/** Resolves a table name through the search path, as the run did. */
async function qualifiedName(client: pg.ClientBase, table: TableName): Promise<string> {
  const schema = tableSchemaSql(quoteTable(table));
  const found = await client.query<{ schema: string }>(schema.text, schema.values);
  const row = found.rows[0];
  if (!row) throw new DatabaseError(`table ${quoteTable(table)} does not exist; check the name and schema`, { code: 'SOURCE' });
  return `${quoteIdentifier(row.schema)}.${quoteIdentifier(table.name)}`;
}
