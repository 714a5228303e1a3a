/**
 * What a run and a watcher check and open before their first pass, in one place: the session
 * connection, the circuit breaker, the source table and what the server can run (openJobConnection);
 * the target, once a worker has loaded the model; the state file and the job's lock (openJobState). A
 * --distributed run takes the connection, then goes its own way between the source and the target
 * (distributed/host-run.ts) and opens its state with openJobState too. A failure on the way closes
 * what was opened.
 */
import type pg from 'pg';
import type { EmbedConfig } from '../config/config.js';
import { chunkWindowText } from '../../common/chunk-window.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { connect, databaseIdentity } from '../db/database.js';
import { ReconnectingClient } from '../db/reconnecting-client.js';
import { checkServerCanRun } from '../db/server-kind.js';
import type { ModelInfo } from '../model/model-folder.js';
import { describeSource, type SourceTable } from '../source/source-table.js';
import type { JobIdentity, JobState } from '../state/job-state.js';
import { StateStore } from '../state/state-store.js';
import { explainOtherDimension } from '../target/target-marker.js';
import { describeTarget, modelLabel, prepareTarget, type Target, type TargetOptions } from '../target/target-table.js';
import type { CircuitBreaker } from '../db/circuit-breaker.js';
import { databaseBreaker, type BreakerHooks } from './database-breaker.js';
import { sessionConnection } from '../pass/worker-config.js';

export interface JobConnection {
  connection: ConnectionConfig;
  /** Set-up statements: a failure here is reported, not waited out. */
  client: pg.Client;
  /** Reads: waits for the database when it goes away. */
  db: ReconnectingClient;
  breaker: CircuitBreaker;
  source: SourceTable;
}

export interface JobStateFile {
  state: StateStore;
  job: JobState;
}

export interface OpenJob extends JobConnection, JobStateFile {
  target: Target;
  close(): Promise<void>;
}

/** Connects, describes the source table and checks the server can run the job; closes the connection when that fails. */
export async function openJobConnection(config: EmbedConfig, hooks: BreakerHooks = {}): Promise<JobConnection> {
  const connection = sessionConnection(config);
  const client = await connect(connection);
  const breaker = databaseBreaker(config, connection, hooks);
  const db = new ReconnectingClient(client, connection, breaker);
  try {
    const source = await describeSource(client, config.table, config.idColumn, config.textTemplate ?? config.textColumn, {
      castText: config.castText,
    });
    await checkServerCanRun(client, { copy: config.writeMethod === 'copy', distributed: config.distributed });
    return { connection, client, db, breaker, source };
  } catch (error) {
    await db.end();
    throw error;
  }
}

export function targetOptions(config: EmbedConfig): TargetOptions {
  return {
    target: config.target,
    column: config.column,
    method: config.writeMethod,
    metrics: config.metrics.mode,
    vectorType: config.vectorType,
    index: config.index,
  };
}

/**
 * What makes two runs the same job, but for the database (which the hosts of a --distributed job reach
 * each by its own address). The tokenizer hash comes last, so that a job recorded before it was part of
 * the identity is found by the same fields in the same order (see StateStore.job); the profile's mark
 * follows it only when the profile is not the default one, so that jobs recorded before profiles are found.
 */
export function jobIdentity(source: SourceTable, target: Pick<Target, 'display'>, model: ModelInfo): Omit<JobIdentity, 'database'> {
  return {
    source: source.sql,
    idColumn: source.idColumn,
    // A template stands where the column would, so a job of a text column keeps the identity it had.
    ...(source.text.kind === 'column' ? { textColumn: source.text.column } : { text: source.text.template.canonical }),
    target: target.display,
    model: model.name,
    modelHash: model.fileHash,
    dimension: model.dimension,
    tokenizerHash: model.tokenizerHash,
    ...(model.profile.mark !== undefined && { profile: model.profile.mark }),
    ...(model.chunk !== undefined && { chunk: chunkWindowText(model.chunk) }),
  };
}

/** Opens the state file and takes the job's lock (refused while another live process holds it). */
export function openJobState(
  config: Pick<EmbedConfig, 'statePath'>,
  connection: ConnectionConfig,
  source: SourceTable,
  target: Pick<Target, 'display'>,
  model: ModelInfo,
): JobStateFile {
  const state = StateStore.open(config.statePath, { ifCorrupt: 'move-aside' });
  try {
    const job = state.job({ database: databaseIdentity(connection), ...jobIdentity(source, target, model) });
    job.lock();
    state.recordProfile(job.id, model.profile);
    return { state, job };
  } catch (error) {
    state.close();
    throw error;
  }
}

/** The whole set-up of a single-host job: connection, source, target, state and lock. */
export async function openJob(
  config: EmbedConfig,
  model: ModelInfo,
  modelLoads: Promise<void>,
  hooks: BreakerHooks = {},
): Promise<OpenJob> {
  const opened = await openJobConnection(config, hooks);
  try {
    await modelLoads;
    return await openJobTarget(config, opened, model);
  } catch (error) {
    await opened.db.end();
    throw error;
  }
}

/**
 * After the connection: the target and the state. The workers load the model meanwhile; one must have
 * loaded it before this is called, so that a model that cannot load stops the run with nothing written.
 */
export async function openJobTarget(config: EmbedConfig, opened: JobConnection, model: ModelInfo): Promise<OpenJob> {
  const target = await prepareTarget(opened.client, opened.source, model, targetOptions(config)).catch((error: unknown) =>
    explainOtherDimension(opened.client, describeTarget(opened.source, model, targetOptions(config)), modelLabel(model), error),
  );
  const { state, job } = openJobState(config, opened.connection, opened.source, target, model);
  const close = async () => {
    // unlock() releases only a lock this process holds.
    job.unlock();
    state.close();
    await opened.db.end();
  };
  return { ...opened, target, state, job, close };
}
