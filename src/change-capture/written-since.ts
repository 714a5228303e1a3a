/**
 * Which row versions the last complete pass may not have seen, as SQL on a source row aliased `src`.
 *
 * Every row version carries in its `xmin` column the transaction that wrote it. A pass's snapshot could
 * see every transaction below its xmin; transactions from xmin on may have committed after the pass
 * read past their rows (late commits, random ids, edits). The rule is deliberately wider than the
 * snapshot's exact visibility: pg_current_snapshot() lists running top-level transactions only, so a row
 * written in a subtransaction of one of them would look visible to pg_visible_in_snapshot(). Any
 * xid >= xmin is taken instead; the server then compares md5(text) with the target, so a version whose
 * text did not change (an update of another column) is looked at but never embedded again.
 *
 * `xmin` is 32 bits and wraps around, so ids are compared by age (distance back from the current
 * transaction id): exact while the snapshot is less than 2^31 transactions old, which capture-plan.ts
 * makes sure of. Freezing keeps a row's xmin as it was (only hint bits change; VACUUM FREEZE shows the
 * same xmin), and a frozen-by-id row (xmin 2, from clusters upgraded from before 9.4) has the largest
 * age, so it is never taken for a recent one.
 */
import type { PassSnapshot } from '../source/pass-snapshot.js';

const xidRange = 2n ** 32n;

/** The 32-bit xid of a 64-bit one, as the literal SQL `'N'::xid`. */
function xid32(xid8: string): string {
  return `'${(BigInt(xid8) % xidRange).toString()}'::xid`;
}

/** Condition: the row version was written by a transaction from the snapshot's xmin on. */
export function writtenSinceSql(since: PassSnapshot): string {
  // Negative ages are ids "in the future" of the 32-bit circle: only rows billions of transactions old.
  return `(age(src.xmin) BETWEEN 0 AND age(${xid32(since.xmin)}))`;
}

/**
 * What a pending row is, for the summary: `changed` when the target holds a vector for it (from another
 * text), else `late` when its transaction had started before the last pass did (it committed after that
 * pass read past it), else `new`.
 */
export function rowKindSql(since: PassSnapshot, holdsVectorSql: string): string {
  return `CASE WHEN ${holdsVectorSql} THEN 'changed' WHEN age(src.xmin) > age(${xid32(since.next)}) THEN 'late' ELSE 'new' END`;
}
