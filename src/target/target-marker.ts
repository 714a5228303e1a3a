/**
 * The target's own record of what it holds, kept in its COMMENT (on the side table, or on the column):
 * the model label and a hash of its tokenizer, so that one target never mixes two models (or one model's
 * weights with two tokenizers), checked without reading a row; and a
 * generation, a random id given when a target is first claimed or emptied. The state file stores the
 * generation its progress was made in, so progress recorded for a target that was since dropped,
 * recreated or emptied is recognised as stale instead of trusted. Once a pass completes, its snapshot
 * (see change-capture/) is kept here too, so that a lost state file costs a look at the rows written
 * since, not a comparison of every row. COMMENT takes a lock that readers and writers of the table do
 * not wait for.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DatabaseError, StateError } from '../../common/errors.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { Queryable } from '../db/database.js';
import { snapshotFrom, type PassSnapshot } from '../source/pass-snapshot.js';
import type { TargetInfo, TargetRef } from './target-table.js';
import {
  anyRowSql,
  clearColumnSql,
  columnCommentSql,
  dropTableSql,
  ownsTableSql,
  sampleModelSql,
  setCommentSql,
  tableCommentSql,
  tableExistsSql,
  truncateSql,
} from './target-sql.js';
import { withTransaction } from '../../common/transaction.js';

export interface TargetMarker {
  model: string;
  /** First 12 hex digits of the model's tokenizer hash; absent on targets marked before it was recorded. */
  tokenizer?: string;
  generation: string;
  /** The snapshot of the last pass that completed into this generation of the target. */
  snapshot?: PassSnapshot;
}

const prefix = 'embeddings written by embed; keep this comment, it stops two models mixing here: ';

export async function readMarker(client: pg.ClientBase, ref: TargetRef): Promise<TargetMarker | undefined> {
  const comment = ref.kind === 'table' ? tableCommentSql(ref.table) : columnCommentSql(ref.table, ref.column);
  const result = await client.query<{ comment: string | null }>(comment.text, comment.values);
  return parseMarker(result.rows[0]?.comment ?? null);
}

export function parseMarker(comment: string | null): TargetMarker | undefined {
  if (comment === null || !comment.startsWith(prefix)) return undefined;
  try {
    const parsed = JSON.parse(comment.slice(prefix.length)) as Partial<Record<keyof TargetMarker, unknown>>;
    if (typeof parsed.model === 'string' && typeof parsed.generation === 'string') {
      const snapshot = snapshotFrom(parsed.snapshot);
      const tokenizer = typeof parsed.tokenizer === 'string' ? parsed.tokenizer : undefined;
      return { model: parsed.model, ...(tokenizer && { tokenizer }), generation: parsed.generation, ...(snapshot && { snapshot }) };
    }
  } catch {
    // Not ours after all: treated like an unmarked target.
  }
  return undefined;
}

async function writeMarker(client: Queryable, ref: TargetRef, marker: TargetMarker): Promise<void> {
  const object = ref.kind === 'table' ? `TABLE ${ref.table}` : `COLUMN ${ref.table}.${quoteIdentifier(ref.column)}`;
  const text =
    prefix + JSON.stringify({ model: marker.model, tokenizer: marker.tokenizer, generation: marker.generation, snapshot: marker.snapshot });
  try {
    await client.query(setCommentSql(object, pg.escapeLiteral(text)).text);
  } catch (cause) {
    throw new DatabaseError(`cannot record the model in the comment of ${object} (only its owner can): ${(cause as Error).message}`, {
      cause,
      code: 'TARGET',
    });
  }
}

/** What a target records of the model that writes it: its label (name@hash12) and its tokenizer. */
export interface ModelStamp {
  label: string;
  /** The tokenizer hash (ModelInfo.tokenizerHash); the marker keeps its first 12 hex digits. */
  tokenizerHash?: string;
}

const tokenizerMark = (model: ModelStamp) => model.tokenizerHash?.slice(0, 12);

/**
 * The marker of a target about to be written with `model`. An unmarked target is claimed: refused if
 * one of its rows names another model, else marked with a new generation. A target marked with another
 * model or another tokenizer is refused, unless the run starts over (`restart`), which empties it
 * anyway. A target marked before tokenizers were recorded learns this run's.
 */
export async function claimTarget(
  client: pg.ClientBase,
  target: TargetInfo,
  model: ModelStamp,
  options: { restart: boolean },
): Promise<TargetMarker & { claimedNow: boolean }> {
  const marker = await readMarker(client, target.ref);
  const held = marker?.model ?? (await sampleModel(client, target.ref));
  const ways = `pass --target NEW_TABLE to embed into a new table, or --restart to delete them and re-embed with ${model.label}`;
  if (held !== undefined && held !== model.label && !options.restart) {
    throw new DatabaseError(`target ${target.display} holds embeddings of model ${held}, not ${model.label}; ${ways}`, { code: 'TARGET' });
  }
  const tokenizer = tokenizerMark(model);
  if (marker?.tokenizer !== undefined && tokenizer !== undefined && marker.tokenizer !== tokenizer && !options.restart) {
    throw new DatabaseError(
      `target ${target.display} holds embeddings of model ${held} made with tokenizer ${marker.tokenizer}, but this model's tokenizer files ` +
        `(tokenizer.json, tokenizer_config.json) are now ${tokenizer}; ${ways}`,
      { code: 'TARGET' },
    );
  }
  if (marker !== undefined) {
    if (marker.tokenizer !== undefined || tokenizer === undefined) return { ...marker, claimedNow: false };
    const learned = { ...marker, tokenizer };
    if (await ownsTarget(client, target.ref)) await writeMarker(client, target.ref, learned);
    return { ...learned, claimedNow: false };
  }
  const claimed = { model: model.label, ...(tokenizer && { tokenizer }), generation: randomUUID() };
  await writeMarker(client, target.ref, claimed);
  return { ...claimed, claimedNow: true };
}

/** Only the owner may comment on a table (or its column). */
async function ownsTarget(client: Queryable, ref: TargetRef): Promise<boolean> {
  const owns = ownsTableSql(ref.table);
  const owner = await client.query<{ owns: boolean }>(owns.text, owns.values);
  return owner.rows[0]?.owns === true;
}

/**
 * Records the snapshot of a pass that completed, beside the marker's model and generation. Only the
 * owner may comment: a role that writes a target someone else owns leaves the record as it was (a lost
 * state file then costs a comparison of every row).
 */
export async function recordSnapshot(
  client: Queryable,
  ref: TargetRef,
  marker: TargetMarker,
  snapshot: PassSnapshot | undefined,
): Promise<void> {
  if (!(await ownsTarget(client, ref))) return;
  await writeMarker(client, ref, {
    model: marker.model,
    tokenizer: marker.tokenizer,
    generation: marker.generation,
    ...(snapshot && { snapshot }),
  });
}

/**
 * Deletes every embedding in the target and marks it with `model`, its tokenizer and a new generation, in one
 * transaction: a crash leaves either the old target or the empty new one.
 */
export async function emptyTarget(client: pg.ClientBase, target: TargetInfo, model: ModelStamp, generation: string): Promise<TargetMarker> {
  const tokenizer = tokenizerMark(model);
  const marker = { model: model.label, ...(tokenizer && { tokenizer }), generation };
  const { ref } = target;
  await withTransaction(client, async () => {
    const column = ref.kind === 'column' ? quoteIdentifier(ref.column) : '';
    await client.query((ref.kind === 'table' ? truncateSql(ref.table) : clearColumnSql(ref.table, column)).text);
    await writeMarker(client, ref, marker);
  });
  return marker;
}

/**
 * A target refused for its embeddings' dimension (target-checks.ts) while its comment names another
 * model, or the same model with another profile (another --dimensions): said as a model change is,
 * but --restart, which keeps the column's type, is no way out there. Any other error is rethrown.
 */
export async function explainOtherDimension(client: pg.ClientBase, target: TargetInfo, label: string, error: unknown): Promise<never> {
  const marker = await readMarker(client, target.ref).catch(() => undefined);
  const dimensionRefused = error instanceof DatabaseError && error.code === 'TARGET' && /dimension/.test(error.message);
  if (!dimensionRefused || marker === undefined || marker.model === label) throw error;
  throw new DatabaseError(
    `target ${target.display} holds embeddings of model ${marker.model}, not ${label}, with another dimension; ` +
      'pass --target NEW_TABLE to embed into a new table, or drop it and run again (--restart keeps its column type)',
    { code: 'TARGET' },
  );
}

/**
 * Whether the target holds any embedding: one row read for a side table. A column target says
 * undefined, since finding out could mean reading the whole source table.
 */
export async function targetHasRows(client: pg.ClientBase, ref: TargetRef): Promise<boolean | undefined> {
  if (ref.kind === 'column') return undefined;
  return (await client.query(anyRowSql(ref.table).text)).rowCount === 1;
}

/** A side table made before markers existed (or by hand) says which model it holds in its rows. */
async function sampleModel(client: pg.ClientBase, ref: TargetRef): Promise<string | undefined> {
  if (ref.kind === 'column') return undefined;
  return (await client.query<{ model: string }>(sampleModelSql(ref.table).text)).rows[0]?.model;
}

/**
 * Drops a side table that embed wrote (its comment says so); refuses one without that comment. Returns
 * whether it dropped one (false when the table is gone already).
 */
export async function dropWrittenTable(
  client: pg.ClientBase,
  ref: Extract<TargetRef, { kind: 'table' }>,
  display: string,
): Promise<boolean> {
  const exists = tableExistsSql(ref.table);
  if ((await client.query(exists.text, exists.values)).rows[0]?.oid === null) return false;
  if ((await readMarker(client, ref)) === undefined) {
    throw new StateError(`${display} has no comment saying embed wrote it, so it is not dropped; drop it yourself if it is yours to drop`);
  }
  await client.query(dropTableSql(ref.table).text);
  return true;
}
