/**
 * Where a run starts reading, decided from the state file and the target together. The target is the
 * ground truth and the state file an accelerator: when the file has no progress for this target (it
 * was deleted, set aside as corrupt, or made for an earlier target of the same name), progress is
 * rebuilt from the target by a pass that skips, on the server, every row the target already holds with
 * the same text. Every decision is written to the state file before a row is read, so a run killed at
 * any point resumes the same pass.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { JobState } from '../state/job-state.js';
import { claimTarget, emptyTarget, targetHasRows } from '../target/target-marker.js';
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
}

export interface StateContext {
  file: string;
  /** Where a corrupt state file was moved, if it was. */
  movedAside: string | undefined;
}

export interface ResumePlan {
  /** One line for stderr when progress had to be rebuilt or dropped without being asked to. */
  warning?: string;
}

export async function planResume(
  client: pg.ClientBase,
  job: JobState,
  target: TargetInfo,
  model: string,
  state: StateContext,
  options: ResumeOptions,
): Promise<ResumePlan> {
  const marker = await claimTarget(client, target, model, { restart: options.restart });
  if (options.restart) {
    // The state first: a crash before the target is emptied leaves a generation the target does not
    // have, which the next run treats as progress to rebuild, never as progress to trust.
    const generation = randomUUID();
    job.startPass({ generation, checkTarget: false });
    await emptyTarget(client, target, model, generation);
    return {};
  }
  const recorded = job.progress();
  const hadProgress = recorded.watermark !== null || recorded.ranges.length > 0;
  let warning: string | undefined;
  if (options.rebuildState) {
    job.startPass({ generation: marker.generation, checkTarget: true });
  } else if (recorded.generation !== marker.generation) {
    // A column target cannot say cheaply whether it holds anything: one embed never wrote to counts as
    // empty, any other is checked row by row to be safe.
    const hasRows = (await targetHasRows(client, target.ref)) ?? !marker.claimedNow;
    job.startPass({ generation: marker.generation, checkTarget: hasRows });
    if (hasRows) {
      warning =
        recorded.generation === null
          ? `no progress for this job in state file ${state.file}; rebuilding it from ${target.display} (rows embedded from the same text count as done)`
          : `the progress in state file ${state.file} was made for an earlier ${target.display} (dropped, recreated or emptied since); rebuilding it from the target`;
    } else if (hadProgress) {
      warning = `${target.display} was dropped or emptied since state file ${state.file} recorded progress; embedding from the first row`;
    }
  } else if (options.refresh) {
    job.startPass({ generation: marker.generation, checkTarget: true });
  } else if (hadProgress && (await targetHasRows(client, target.ref)) === false) {
    job.startPass({ generation: marker.generation, checkTarget: false });
    warning = `${target.display} is empty although state file ${state.file} records progress; embedding from the first row`;
  }
  if (options.refresh) {
    // A text emptied since it was embedded changed too, but passes skip blank rows: drop its old vector here.
    await client.query(target.clearBlankSql);
  }
  if (state.movedAside !== undefined) {
    warning = `state file ${state.file} was corrupt; moved it to ${state.movedAside} and rebuilding progress from ${target.display}`;
  }
  return { warning };
}
