/**
 * The rows the next run would embed, by kind, from the same conditions it reads with: the rest of the
 * pass in progress, or the pass a run would start now (catch-up, nothing, or every row compared).
 */
import type { Queryable } from '../db/database.js';
import { unreadCondition } from '../source/row-reader.js';
import type { SourceTable } from '../source/source-table.js';
import type { JobProgress } from '../state/job-state.js';
import type { TargetInfo } from '../target/target-table.js';
import { planCapture } from './capture-plan.js';
import { countKinds, countWaiting, readKindSql, type WaitingRows } from './waiting-rows.js';

export async function rowsForNextRun(
  client: Queryable,
  source: SourceTable,
  target: TargetInfo,
  progress: JobProgress,
): Promise<WaitingRows> {
  if (progress.passOpen) {
    const unread = unreadCondition(source, { after: progress.watermark, exclude: progress.ranges });
    if (progress.passSince !== undefined) return countWaiting(client, source, target, progress.passSince, unread);
    if (!progress.checkTarget) return countKinds(client, source, `'new'`, unread);
    return countKinds(client, source, readKindSql(source, target, undefined), {
      ...unread,
      where: `${unread.where} AND (${target.pendingSql})`,
    });
  }
  const plan = await planCapture(client, source, progress.snapshot);
  if (plan.kind === 'unchanged') return { new: 0, late: 0, changed: 0 };
  if (plan.kind === 'catch-up') return countWaiting(client, source, target, plan.since);
  return countKinds(client, source, readKindSql(source, target, undefined), { where: target.pendingSql, params: [] });
}
