/**
 * Removing the queue schema: what it holds is listed first (the jobs, their ranges by state, failed
 * rows), then the schema goes in one DROP SCHEMA ... CASCADE. The targets' embeddings are not in it and
 * stay. Refused while ranges are running, unless forced: the hosts holding them would fail.
 */
import type pg from 'pg';
import { StateError } from '../../common/errors.js';
import { queueSchema } from './queue-schema.js';

export interface QueueContents {
  schema: string;
  jobs: { source: string; target: string; model: string; passes: number; ranges: Record<string, number>; failedRows: number }[];
}

export async function queueContents(client: pg.ClientBase): Promise<QueueContents | undefined> {
  const exists = await client.query<{ found: boolean }>(`SELECT to_regnamespace($1) IS NOT NULL AS found`, [queueSchema]);
  if (!exists.rows[0]!.found) return undefined;
  const hasJobs = (await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${queueSchema}.embed_jobs`])).rows[0]!.found;
  if (!hasJobs) return { schema: queueSchema, jobs: [] };
  const jobs = await client.query<{ queue: string; source: string; target: string; model: string; passes: number; failed_rows: number }>(
    `SELECT j.queue, j.source, j.target, j.model || '@' || left(j.model_hash, 12) AS model,
            (SELECT count(*)::int FROM ${queueSchema}.embed_passes p WHERE p.queue = j.queue) AS passes,
            (SELECT count(*)::int FROM ${queueSchema}.embed_failed_rows f WHERE f.queue = j.queue) AS failed_rows
       FROM ${queueSchema}.embed_jobs j ORDER BY j.created_at`,
  );
  const states = await client.query<{ name: string; state: string; n: number }>(
    `SELECT name, state::text AS state, count(*)::int AS n FROM (
       SELECT name, state FROM ${queueSchema}.job UNION ALL SELECT name, state FROM ${queueSchema}.archive
     ) ranges GROUP BY name, state`,
  );
  return {
    schema: queueSchema,
    jobs: jobs.rows.map((job) => ({
      source: job.source,
      target: job.target,
      model: job.model,
      passes: job.passes,
      ranges: Object.fromEntries(states.rows.filter((s) => s.name === job.queue).map((s) => [s.state, s.n])),
      failedRows: job.failed_rows,
    })),
  };
}

export async function dropQueue(client: pg.ClientBase, options: { force: boolean }): Promise<QueueContents | undefined> {
  const contents = await queueContents(client);
  if (contents === undefined) return undefined;
  const running = contents.jobs.reduce((n, job) => n + (job.ranges.active ?? 0), 0);
  if (running > 0 && !options.force) {
    throw new StateError(
      `${running} range(s) are running on hosts of a distributed job; stop those hosts first (Ctrl-C), or pass --force to drop the queue under them`,
    );
  }
  await client.query(`DROP SCHEMA ${queueSchema} CASCADE`);
  return contents;
}
