/**
 * A distributed job in the queue schema: which model it runs (a host with another model file is
 * refused), and its passes. The first host to arrive plans a pass; a host arriving while a pass is
 * unfinished joins it; once a pass is finished, the next host to arrive plans the ids added since and,
 * with the plain run's change capture (change-capture/), the rows below them written since the last
 * pass started that the target does not hold with the same text (late commits, edited texts).
 * Planning holds an advisory lock on the job, so two hosts arriving together plan once.
 *
 * Longer than 250 lines because joining, planning and a lost planning session are one transaction's story.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { isConnectionLost } from '../../common/batch-failure.js';
import { ModelError } from '../../common/errors.js';
import { stopHereInTests } from '../../common/test-stop.js';
import { planCapture } from '../change-capture/capture-plan.js';
import { formatSnapshot, parseSnapshot, takePassSnapshot, type PassSnapshot } from '../source/pass-snapshot.js';
import { catchUpSql, clearBlankSinceSql } from '../change-capture/waiting-rows.js';
import type { SourceTable } from '../source/source-table.js';
import type { JobIdentity } from '../state/job-state.js';
import { jobText } from '../state/job-text.js';
import { targetHasRows } from '../target/target-marker.js';
import type { TargetInfo } from '../target/target-table.js';
import { queueSchema } from './queue-schema.js';
import { hostName, type PlannedRange, type RangeQueue } from './range-queue.js';
import { planRanges } from './range-planner.js';
import type { RangeSizing } from './range-sizes.js';
import {
  insertJobSql,
  insertPassSql,
  jobModelSql,
  latestPassSql,
  lockKeySql,
  passSnapshotSql,
  unfinishedRangesSql,
  unlockKeySql,
} from './queue-sql.js';
import { withTransaction } from '../../common/transaction.js';

/** What every host of a job must agree on. The database is the one they all reach, so it is not part of it. */
export type DistributedIdentity = Omit<JobIdentity, 'database'>;

export interface Pass {
  number: number;
  afterId: string | null;
  lastId: string | null;
  ranges: number;
  rows: number;
  /** Rows are checked against the target as they are read (the target held rows when the pass was planned). */
  checkTarget: boolean;
  plannedBy: string;
  /** Taken as the pass was planned: the next pass catches up from it (absent for passes of older versions). */
  snapshot?: PassSnapshot;
  /** Why this pass compares every row below the last pass's end with the target, when it does. */
  note?: string;
  /** This host planned it just now. */
  plannedNow: boolean;
  /** No range of it is waiting or running: the pass was finished before this host arrived. */
  finished: boolean;
}

/** The pg-boss queue of a job: one per source, columns (or --text template) and target. */
export function queueName(identity: Pick<DistributedIdentity, 'source' | 'idColumn' | 'textColumn' | 'text' | 'target'>): string {
  // A template as an object, so that it never names the queue of a column spelt like it.
  const text = identity.text === undefined ? identity.textColumn : { text: identity.text };
  const key = JSON.stringify([identity.source, identity.idColumn, text, identity.target]);
  return `embed-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** Records the job on first arrival; refuses a host whose model, or model profile, is not the job's. */
export async function joinJob(client: pg.ClientBase, queue: string, identity: DistributedIdentity): Promise<void> {
  const profile = identity.profile ?? '';
  const insert = insertJobSql(queueSchema, [
    queue,
    identity.source,
    identity.idColumn,
    // text_column holds the template of a --text job.
    jobText(identity),
    identity.target,
    identity.model,
    identity.modelHash,
    identity.dimension,
    profile,
  ]);
  await client.query(insert.text, insert.values);
  const model = jobModelSql(queueSchema, queue);
  const job = (await client.query<{ model: string; model_hash: string; dimension: number; profile: string }>(model.text, model.values))
    .rows[0]!;
  if (job.model_hash !== identity.modelHash) {
    throw new ModelError(
      `this host's model ${identity.model}@${identity.modelHash.slice(0, 12)} is not the model of the distributed job on ${identity.target} ` +
        `(${job.model}@${job.model_hash.slice(0, 12)}); give every host the same model files`,
    );
  }
  if (job.profile !== profile || job.dimension !== identity.dimension) {
    const shown = (mark: string) => (mark === '' ? 'the default profile (mean pooling, normalised, no prompt, every dimension)' : mark);
    throw new ModelError(
      `this host's model profile ${shown(profile)} is not the profile of the distributed job on ${identity.target} (${shown(job.profile)}); ` +
        'give every host the same --pooling, --prompt, --prompt-name, --dimensions and --raw-vectors',
    );
  }
}

/** The pass to work on: the unfinished one, else a new one over the ids added since; undefined for an empty table. */
export async function joinOrPlanPass(
  pool: pg.Pool,
  queue: RangeQueue,
  source: SourceTable,
  target: TargetInfo,
  sizing: RangeSizing,
): Promise<Pass | undefined> {
  // The pool's clients have an error listener for their whole life (db/database.ts openPool): a session
  // ended while this host was paused in here fails the next query, and the caller plans or joins again.
  const client = await pool.connect();
  let lost: Error | undefined;
  try {
    // A session lock around the transaction: taken before its snapshot, so the snapshot sees what a
    // planner that held the lock before committed.
    const lock = lockKeySql(queue.name);
    await client.query(lock.text, lock.values);
    try {
      return await withTransaction(client, () => planUnderLock(client, queue, source, target, sizing), 'repeatable read');
    } finally {
      // A lost session took its lock with it: the planning error is the one to report.
      const unlock = unlockKeySql(queue.name);
      await client.query(unlock.text, unlock.values).catch((error: unknown) => {
        if (!isConnectionLost(error)) throw error;
      });
    }
  } catch (error) {
    if (isConnectionLost(error)) lost = error as Error;
    throw error;
  } finally {
    // A client whose session is gone is dropped, not put back.
    client.release(lost);
  }
}

async function planUnderLock(
  client: pg.ClientBase,
  queue: RangeQueue,
  source: SourceTable,
  target: TargetInfo,
  sizing: RangeSizing,
): Promise<Pass | undefined> {
  // The transaction's snapshot (REPEATABLE READ), taken before any range is read by any host.
  const snapshot = await takePassSnapshot(client, source);
  await stopHereInTests('planning');
  const latest = await latestPass(client, queue.name);
  if (latest && (await unfinishedRanges(client, queue.name, latest.number)) > 0) return latest;
  const number = (latest?.number ?? 0) + 1;
  const changed = latest?.lastId != null ? await planChanged(client, source, target, latest, number, sizing) : { ranges: [] };
  const added = await planRanges(client, source, number, latest?.lastId ?? null, sizing);
  const ranges = [...changed.ranges, ...added];
  if (ranges.length === 0) {
    // Nothing written since the last pass started: later passes need look only from now on.
    if (latest && snapshot) await recordPassSnapshot(client, queue.name, latest.number, snapshot);
    return latest && { ...latest, finished: true };
  }
  // The first pass over a target that holds rows (from single-host runs) skips, on the server, the rows
  // it holds with the same text; later passes read the added ids whole and recheck the rest.
  const checkTarget = latest === undefined && ((await targetHasRows(client, target.ref)) ?? true);
  const rows = ranges.reduce((sum, r) => sum + r.rows, 0);
  const pass: Pass = {
    number,
    afterId: latest?.lastId ?? null,
    lastId: added.at(-1)?.last ?? latest?.lastId ?? null,
    ranges: ranges.length,
    rows,
    checkTarget,
    plannedBy: hostName,
    ...(snapshot && { snapshot }),
    ...(changed.note !== undefined && { note: changed.note }),
    plannedNow: true,
    finished: false,
  };
  await queue.enqueue(client, ranges);
  const planned = insertPassSql(queueSchema, [
    queue.name,
    pass.number,
    pass.afterId,
    pass.lastId,
    pass.ranges,
    pass.rows,
    pass.checkTarget,
    pass.plannedBy,
    snapshot ? formatSnapshot(snapshot) : null,
  ]);
  await client.query(planned.text, planned.values);
  return pass;
}

/**
 * The rows up to the last pass's end that need embedding again, as ranges: with the plain run's change
 * capture, those written since the last pass started that the target lacks or holds with another text;
 * when transaction ids cannot be trusted (see capture-plan.ts), every row the target lacks or holds
 * with another text. Vectors of texts emptied since are removed here, as a plain catch-up does.
 */
async function planChanged(
  client: pg.ClientBase,
  source: SourceTable,
  target: TargetInfo,
  latest: Pass,
  pass: number,
  sizing: RangeSizing,
): Promise<{ ranges: PlannedRange[]; note?: string }> {
  const capture = await planCapture(client, source, latest.snapshot);
  if (capture.kind === 'unchanged') return { ranges: [] };
  const upTo = latest.lastId!;
  if (capture.kind === 'compare-all') {
    return {
      ranges: await planRanges(client, source, pass, null, sizing, { upTo, where: target.pendingSql, since: null }),
      note: capture.reason,
    };
  }
  await client.query(clearBlankSinceSql(source, target, capture.since));
  return {
    ranges: await planRanges(client, source, pass, null, sizing, { upTo, where: catchUpSql(target, capture.since), since: capture.since }),
  };
}

async function recordPassSnapshot(client: pg.ClientBase, queue: string, pass: number, snapshot: PassSnapshot): Promise<void> {
  const record = passSnapshotSql(queueSchema, queue, pass, formatSnapshot(snapshot));
  await client.query(record.text, record.values);
}

export async function latestPass(client: pg.ClientBase | pg.Pool, queue: string): Promise<Pass | undefined> {
  const latest = latestPassSql(queueSchema, queue);
  const row = (
    await client.query<{
      pass: number;
      after_id: string | null;
      last_id: string | null;
      ranges: number;
      rows: string;
      check_target: boolean;
      planned_by: string;
      snapshot: string | null;
    }>(latest.text, latest.values)
  ).rows[0];
  if (!row) return undefined;
  const snapshot = parseSnapshot(row.snapshot);
  return {
    number: row.pass,
    afterId: row.after_id,
    lastId: row.last_id,
    ranges: row.ranges,
    rows: Number(row.rows),
    checkTarget: row.check_target,
    plannedBy: row.planned_by,
    ...(snapshot && { snapshot }),
    plannedNow: false,
    finished: false,
  };
}

/** Ranges of a pass still waiting or running, leaving out the given ones (a host's own). */
export async function unfinishedRanges(
  client: pg.ClientBase | pg.Pool,
  queue: string,
  pass: number,
  except: readonly string[] = [],
): Promise<number> {
  const unfinished = unfinishedRangesSql(queueSchema, queue, pass, except);
  const result = await client.query<{ n: string }>(unfinished.text, unfinished.values);
  return Number(result.rows[0]!.n);
}
