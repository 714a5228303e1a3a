/**
 * A job's progress as the state file holds it: the watermark and ranges of the pass in progress, how
 * that pass reads, and the snapshots that let the next pass read only what was written since (see
 * change-capture/), as JSON text in their columns.
 */
import type { IdRange } from '../source/row-values.js';
import { formatSnapshot, parseSnapshot, type PassSnapshot } from '../source/pass-snapshot.js';

export type { IdRange } from '../source/row-values.js';

export interface JobProgress {
  watermark: string | null;
  ranges: IdRange[];
  rowsDone: number;
  /**
   * The pass in progress skips, on the server, rows the target already holds with the same text: set
   * while progress is rebuilt from the target or a --refresh runs, cleared when the pass reads to the end.
   */
  checkTarget: boolean;
  /** The target's generation (see src/target/target-marker.ts) this progress was made in; null before the first run. */
  generation: string | null;
  /** A pass has started and not yet read to the end: the next run resumes it. */
  passOpen: boolean;
  /** The pass in progress reads only rows written since this snapshot (a catch-up pass); else every row. */
  passSince?: PassSnapshot;
  /** Taken as the pass in progress started; trusted once it completes. */
  passSnapshot?: PassSnapshot;
  /** The snapshot of the last complete pass: every row version it could see had been read by that pass. */
  snapshot?: PassSnapshot;
}

/** How a pass reads (see JobProgress). */
export interface PassStart {
  generation: string;
  checkTarget: boolean;
  since?: PassSnapshot;
  /** Undefined where no snapshot can be trusted (a replica): the pass then leaves no record to catch up from. */
  snapshot?: PassSnapshot;
}

/** The jobs row as progress() selects it. */
export interface ProgressRow {
  watermark: string | null;
  rowsDone: number;
  checkTarget: number;
  generation: string | null;
  passOpen: number;
  passSince: string | null;
  passSnapshot: string | null;
  snapshot: string | null;
}

export function progressFrom(row: ProgressRow, ranges: IdRange[]): JobProgress {
  const passSince = parseSnapshot(row.passSince);
  const passSnapshot = parseSnapshot(row.passSnapshot);
  const snapshot = parseSnapshot(row.snapshot);
  return {
    watermark: row.watermark,
    ranges,
    rowsDone: row.rowsDone,
    checkTarget: row.checkTarget === 1,
    generation: row.generation,
    passOpen: row.passOpen === 1,
    ...(passSince && { passSince }),
    ...(passSnapshot && { passSnapshot }),
    ...(snapshot && { snapshot }),
  };
}

export function snapshotColumn(snapshot: PassSnapshot | undefined): string | null {
  return snapshot === undefined ? null : formatSnapshot(snapshot);
}
