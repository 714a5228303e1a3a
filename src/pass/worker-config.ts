/**
 * What the pool's workers are started with, and how many of them compute at once: the shared memory
 * (compute gate, input claims, start order) is created here, once per run.
 */
import os from 'node:os';
import type { WorkerConfig } from '../../common/batch-task.js';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { createComputeGate } from '../../common/compute-gate.js';
import { createClaimBuffer } from '../../common/input-claims.js';
import { createStartCounters } from '../../common/worker-start.js';
import type { EmbedConfig } from '../config/config.js';
import { connectionConfig } from '../db/database.js';
import type { ModelFiles } from '../model/model-folder.js';
import { outputProfile, type ModelProfile } from '../model/model-profile.js';
import { tasksPerWorker } from './worker-pool.js';

export function workerConfig(config: EmbedConfig, model: ModelFiles, profile: ModelProfile): WorkerConfig {
  return {
    modelDir: model.dir,
    onnxFile: model.onnxFile,
    maxSequenceLength: model.maxSequenceLength,
    threads: config.threads,
    device: config.device,
    maxBatchTokens: config.maxBatchTokens,
    profile: outputProfile(profile),
    runModel: config.metrics.mode !== 'only',
    inputClaims: createClaimBuffer(),
    computeGate: createComputeGate(computeSlots(config)),
    startOrder: createStartCounters(),
    // Tasks are packed onto as few workers as can compute at once (see packing-balancer.ts).
    workersLoadingAtStart: computeSlots(config),
    connection: sessionConnection(config),
  };
}

/**
 * Every session of the run, main thread and workers, with the same lock and statement timeouts, named
 * after the process so that the run can tell its own sessions from others' (source/table-counters.ts).
 * Across hosts, a session idle inside a transaction for longer than the lease is ended by the server:
 * a host paused (SIGSTOP, a suspended VM) between its upsert and its COMMIT would otherwise keep the
 * rows locked from the host that took its range over; it redoes the batch when it resumes.
 */
export function sessionConnection(config: EmbedConfig): ConnectionConfig {
  return {
    ...connectionConfig(config.databaseUrl, {
      lockTimeoutSeconds: config.lockTimeoutSeconds,
      statementTimeoutSeconds: config.statementTimeoutSeconds,
    }),
    application_name: runSessionName,
    // Keyset pages that compare rows with the target are costed high enough to be compiled, which takes
    // longer than running them: half a second a page on a table of a million rows.
    options: `-c jit=off${config.distributed ? ` -c idle_in_transaction_session_timeout=${config.leaseSeconds * 1000}` : ''}`,
  };
}

/** application_name of this run's sessions. */
export const runSessionName = `embed ${process.pid}`;

/**
 * Tasks that may compute at once. On the CPU, as many sessions as the cores hold (cores / threads per
 * session): more only thrash caches and lose time to switching. A GPU queues its own work, so there every
 * worker computes.
 */
export function computeSlots(config: EmbedConfig, cores = os.availableParallelism()): number {
  if (config.device === 'cuda') return config.workers;
  return Math.min(config.workers, Math.max(1, Math.floor(cores / config.threads)));
}

/** Two tasks per computing worker: one computes while the other writes and commits. */
export function tasksInFlight(config: EmbedConfig): number {
  return computeSlots(config) * tasksPerWorker;
}
