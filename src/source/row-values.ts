/** Value types of the source's rows, shared by the folders above that read, plan and record them. */

/** A slice of ids; ids are opaque text here: only PostgreSQL compares them, in the id column's own type and order. */
export interface IdRange {
  /** Exclusive lower bound; null for "from the start". */
  after: string | null;
  last: string;
}

/**
 * What a pending row is, for the summary: `changed` when the target holds a vector for it (from another
 * text), `late` when it was written by a transaction that began before the last pass did, else `new`.
 */
export type RowKind = 'new' | 'late' | 'changed';
