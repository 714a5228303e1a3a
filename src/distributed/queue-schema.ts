/**
 * The schema that holds everything a distributed job shares between hosts: pg-boss's own tables (the
 * queue of id ranges) and embed's records beside them (which model the job runs, the passes planned,
 * rows that failed on any host, each host's counts). Created on first use; `embed drop-queue` removes it.
 */
import type pg from 'pg';
import { queueTableExistsSql } from './queue-sql.js';

export const queueSchema = 'embed_queue';

const ownTables = `
CREATE TABLE IF NOT EXISTS ${queueSchema}.embed_jobs (
  queue       text PRIMARY KEY,
  source      text NOT NULL,
  id_column   text NOT NULL,
  text_column text NOT NULL,
  target      text NOT NULL,
  model       text NOT NULL,
  model_hash  text NOT NULL,
  dimension   integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${queueSchema}.embed_passes (
  queue        text NOT NULL REFERENCES ${queueSchema}.embed_jobs ON DELETE CASCADE,
  pass         integer NOT NULL,
  after_id     text,
  last_id      text,
  ranges       integer NOT NULL,
  rows         bigint NOT NULL,
  check_target boolean NOT NULL,
  planned_by   text NOT NULL,
  planned_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, pass)
);
-- The snapshot the next pass catches up from (source/pass-snapshot.ts); added after the first release.
ALTER TABLE ${queueSchema}.embed_passes ADD COLUMN IF NOT EXISTS snapshot text;
-- The model profile's mark ('' for the default profile, which jobs recorded before profiles have).
ALTER TABLE ${queueSchema}.embed_jobs ADD COLUMN IF NOT EXISTS profile text NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS ${queueSchema}.embed_failed_rows (
  queue    text NOT NULL REFERENCES ${queueSchema}.embed_jobs ON DELETE CASCADE,
  row_id   text NOT NULL,
  error    text NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  host     text NOT NULL,
  last_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, row_id)
);
CREATE TABLE IF NOT EXISTS ${queueSchema}.embed_hosts (
  queue      text NOT NULL REFERENCES ${queueSchema}.embed_jobs ON DELETE CASCADE,
  pass       integer NOT NULL,
  host       text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at    timestamptz NOT NULL DEFAULT now(),
  rows       bigint NOT NULL DEFAULT 0,
  ranges     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (queue, pass, host)
);
`;

/** embed's tables beside pg-boss's, once pg-boss has created the schema (the caller serialises hosts). */
export async function createOwnTables(client: pg.ClientBase): Promise<void> {
  await client.query(ownTables);
}

/** Whether the schema exists, for the commands that only read it. */
export async function queueSchemaExists(client: pg.ClientBase): Promise<boolean> {
  const jobsTable = queueTableExistsSql(`${queueSchema}.embed_jobs`);
  const result = await client.query<{ found: boolean }>(jobsTable.text, jobsTable.values);
  return result.rows[0]!.found;
}
