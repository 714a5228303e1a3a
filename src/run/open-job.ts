/**
 * Everything a watcher checks and opens before its first pass: the session connection, the circuit
 * breaker, the source table, the target (once a worker has loaded the model), the state file and the
 * job's lock. A failure on the way closes what was opened. A plain run (commands/embed/index.ts) does
 * the same steps in line, since a --distributed run leaves them between the source and the target.
 */
import type pg from 'pg';
import type { EmbedConfig } from '../cli/config.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { connect, databaseIdentity } from '../db/database.js';
import { ReconnectingClient } from '../db/reconnecting-client.js';
import type { ModelInfo } from '../model/model-folder.js';
import { describeSource, type SourceTable } from '../source/source-table.js';
import type { JobState } from '../state/job-state.js';
import { StateStore } from '../state/state-store.js';
import { prepareTarget, type Target } from '../target/target-table.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { databaseBreaker, type BreakerHooks } from './database-breaker.js';
import { sessionConnection } from './worker-config.js';

export interface OpenJob {
  connection: ConnectionConfig;
  /** Set-up statements: a failure here is reported, not waited out. */
  client: pg.Client;
  /** Reads: waits for the database when it goes away. */
  db: ReconnectingClient;
  breaker: CircuitBreaker;
  source: SourceTable;
  target: Target;
  state: StateStore;
  job: JobState;
  close(): Promise<void>;
}

export async function openJob(config: EmbedConfig, model: ModelInfo, modelLoads: Promise<void>, hooks: BreakerHooks = {}): Promise<OpenJob> {
  const connection = sessionConnection(config);
  const client = await connect(connection);
  const breaker = databaseBreaker(config, connection, hooks);
  const db = new ReconnectingClient(client, connection, breaker);
  let state: StateStore | undefined;
  let job: JobState | undefined;
  const close = async () => {
    job?.unlock();
    state?.close();
    await db.end();
  };
  try {
    const source = await describeSource(client, config.table, config.idColumn, config.textColumn, { castText: config.castText });
    // The workers load the model meanwhile; one must have loaded it before the target is created or
    // claimed, so that a model that cannot load stops the run with nothing written.
    await modelLoads;
    const target = await prepareTarget(client, source, model, {
      target: config.target,
      column: config.column,
      method: config.writeMethod,
      metrics: config.metrics.mode,
    });
    state = StateStore.open(config.statePath, { ifCorrupt: 'move-aside' });
    job = state.job({
      database: databaseIdentity(connection),
      source: source.sql,
      idColumn: source.idColumn,
      textColumn: source.textColumn,
      target: target.display,
      model: model.name,
      modelHash: model.fileHash,
      dimension: model.dimension,
    });
    job.lock();
    const opened = job;
    return { connection, client, db, breaker, source, target, state, job: opened, close };
  } catch (error) {
    // unlock() releases only a lock this process holds.
    await close();
    throw error;
  }
}
