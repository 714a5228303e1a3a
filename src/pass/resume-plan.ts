/**
 * Where a run starts reading, decided from the state file and the target together. The target is the
 * ground truth and the state file an accelerator: when the file has no progress for this target (it
 * was deleted, set aside as corrupt, or made for an earlier target of the same name), progress is
 * rebuilt from the target by a pass that skips, on the server, every row the target already holds with
 * the same text. After a complete pass, the next run starts a catch-up pass: only the rows written since
 * that pass's snapshot are compared with the target (see change-capture/), or none when the table's
 * counters prove nothing was written, or every row when transaction ids cannot be trusted. Every
 * decision is written to the state file before a row is read, so a run killed at any point resumes the
 * same pass.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { planCapture, type CaptureOptions } from '../change-capture/capture-plan.js';
import { takePassSnapshot, type PassSnapshot } from '../source/pass-snapshot.js';
import { clearBlankAndCount, clearBlankSinceSql, type WaitingRows } from '../change-capture/waiting-rows.js';
import type { SourceTable } from '../source/source-table.js';
import type { JobState, PassStart } from '../state/job-state.js';
import { claimTarget, emptyTarget, targetHasRows, type TargetMarker } from '../target/target-marker.js';
import type { TargetInfo } from '../target/target-table.js';

export interface ResumeOptions {
  /**
   * Check every row against the target: changed texts and rows never embedded are read again, and
   * embeddings of texts emptied since are removed.
   */
  refresh: boolean;
  /** Forget the file's progress and rebuild it from the target. */
  rebuildState: boolean;
  /** Forget progress and empty the target (also the way to change the model of a target). */
  restart: boolean;
  /** Start a catch-up pass after a complete one (not when only failed rows are retried). */
  catchUp: boolean;
  capture?: CaptureOptions;
  /**
   * Count the rows a catch-up pass will embed (a watcher's backlog) in the statement that clears emptied
   * texts from a side table, rather than in a scan of its own; a count of none spares the pass its walk.
   */
  countWaiting?: boolean;
}

export interface StateContext {
  file: string;
  /** Where a corrupt state file was moved, if it was. */
  movedAside: string | undefined;
}

export interface ResumePlan {
  /** One line for stderr when progress had to be rebuilt or dropped without being asked to. */
  warning?: string;
  /** One line for stderr: why this run compares every row with the target instead of catching up. */
  note?: string;
  /**
   * Read nothing: the table's counters prove that nothing was written since the last complete pass (no
   * pass is started), or a count made after the new pass's snapshot found nothing waiting (the pass
   * started is complete once run, without a walk).
   */
  nothingToRead: boolean;
  /** The target's marker, where a completed pass's snapshot is recorded. */
  marker: TargetMarker;
  /** The rows the catch-up pass starting will embed, by kind, when countWaiting asked and it is one. */
  waiting?: WaitingRows;
  /** Their ids, when few (see change-capture/waiting-rows.ts): the pass reads these rows and no others. */
  waitingIds?: string[];
}

export async function planResume(
  client: pg.ClientBase,
  job: JobState,
  source: SourceTable,
  target: TargetInfo,
  model: string,
  state: StateContext,
  options: ResumeOptions,
): Promise<ResumePlan> {
  // The tokenizer comes with the job's identity, so every caller checks it without being told.
  const stamp = { label: model, tokenizerHash: job.identity.tokenizerHash };
  const marker = await claimTarget(client, target, stamp, { restart: options.restart });
  // Taken before the pass reads a row, recorded with it, trusted once it completes.
  const start = async (pass: Omit<PassStart, 'snapshot'>) => {
    const snapshot = await takePassSnapshot(client, source);
    job.startPass({ ...pass, ...(snapshot && { snapshot }) });
  };
  if (options.restart) {
    // The state first: a crash before the target is emptied leaves a generation the target does not
    // have, which the next run treats as progress to rebuild, never as progress to trust.
    const generation = randomUUID();
    await start({ generation, checkTarget: false });
    return { nothingToRead: false, marker: await emptyTarget(client, target, stamp, generation) };
  }
  const recorded = job.progress();
  const hadProgress = recorded.watermark !== null || recorded.ranges.length > 0;
  const generation = marker.generation;
  let warning: string | undefined;
  let note: string | undefined;
  let compareAll = options.refresh;
  let waiting: WaitingRows | undefined;
  let waitingIds: string[] | undefined;
  let nothingToRead = false;
  // Passes skip blank rows: a text emptied since loses its old vector here.
  const catchUp = async (since: PassSnapshot) => {
    if (options.countWaiting && target.ref.kind === 'table') {
      // The snapshot first, then one statement clears emptied texts and counts what waits: a count made
      // after the snapshot that finds nothing proves the pass complete without a walk of the table.
      const snapshot = await takePassSnapshot(client, source);
      ({ counts: waiting, ids: waitingIds } = await clearBlankAndCount(client, source, target, since));
      job.startPass({ generation, checkTarget: false, since, ...(snapshot && { snapshot }) });
      nothingToRead = waiting.new + waiting.late + waiting.changed === 0;
    } else {
      await client.query(clearBlankSinceSql(source, target, since));
      await start({ generation, checkTarget: false, since });
    }
  };
  if (options.rebuildState) {
    await start({ generation, checkTarget: true });
  } else if (recorded.generation !== generation) {
    // A column target cannot say cheaply whether it holds anything: one embed never wrote to counts as
    // empty, any other is checked row by row to be safe.
    const hasRows = (await targetHasRows(client, target.ref)) ?? !marker.claimedNow;
    const capture = hasRows && marker.snapshot ? await planCapture(client, source, marker.snapshot, options.capture) : undefined;
    if (capture !== undefined && capture.kind !== 'compare-all') {
      // The target's own record of its last complete pass: only rows written since need comparing.
      await catchUp(capture.since);
    } else {
      await start({ generation, checkTarget: hasRows });
    }
    if (hasRows) {
      const how =
        capture !== undefined && capture.kind !== 'compare-all'
          ? 'from the rows written since its last complete pass'
          : '(rows embedded from the same text count as done)';
      warning =
        recorded.generation === null
          ? `no progress for this job in state file ${state.file}; rebuilding it from ${target.display} ${how}`
          : `the progress in state file ${state.file} was made for an earlier ${target.display} (dropped, recreated or emptied since); rebuilding it from the target`;
    } else if (hadProgress) {
      warning = `${target.display} was dropped or emptied since state file ${state.file} recorded progress; embedding from the first row`;
    }
  } else if (options.refresh) {
    await start({ generation, checkTarget: true });
  } else if (hadProgress && (await targetHasRows(client, target.ref)) === false) {
    await start({ generation, checkTarget: false });
    warning = `${target.display} is empty although state file ${state.file} records progress; embedding from the first row`;
  } else if (!recorded.passOpen && options.catchUp) {
    const capture = await planCapture(client, source, recorded.snapshot, options.capture);
    if (capture.kind === 'unchanged') return { nothingToRead: true, marker };
    if (capture.kind === 'catch-up') {
      await catchUp(capture.since);
    } else {
      note = capture.reason;
      compareAll = true;
      await start({ generation, checkTarget: true });
    }
  }
  if (compareAll) {
    // A text emptied since it was embedded changed too, but passes skip blank rows: drop its old vector here.
    await client.query(target.clearBlankSql);
  }
  if (state.movedAside !== undefined) {
    warning = `state file ${state.file} was corrupt; moved it to ${state.movedAside} and rebuilding progress from ${target.display}`;
  }
  return { warning, note, nothingToRead, marker, ...(waiting && { waiting }), ...(waitingIds && { waitingIds }) };
}
