/**
 * Removing the queue schema: what it holds is listed first (the jobs, their ranges by state, failed
 * rows), then the schema goes in one DROP SCHEMA ... CASCADE. The targets' embeddings are not in it and
 * stay. Refused while ranges are running, unless forced: the hosts holding them would fail.
 */
import type pg from 'pg';
import { StateError } from '../../common/errors.js';
import { queueSchema } from './queue-schema.js';
import { dropQueueSchemaSql, queueJobsSql, queueTableExistsSql, rangeStatesSql, schemaExistsSql } from './queue-sql.js';

export interface QueueContents {
  schema: string;
  jobs: { source: string; target: string; model: string; passes: number; ranges: Record<string, number>; failedRows: number }[];
}

export async function queueContents(client: pg.ClientBase): Promise<QueueContents | undefined> {
  const schema = schemaExistsSql(queueSchema);
  const exists = await client.query<{ found: boolean }>(schema.text, schema.values);
  if (!exists.rows[0]!.found) return undefined;
  const jobsTable = queueTableExistsSql(`${queueSchema}.embed_jobs`);
  const hasJobs = (await client.query<{ found: boolean }>(jobsTable.text, jobsTable.values)).rows[0]!.found;
  if (!hasJobs) return { schema: queueSchema, jobs: [] };
  const jobs = await client.query<{ queue: string; source: string; target: string; model: string; passes: number; failed_rows: number }>(
    queueJobsSql(queueSchema).text,
  );
  const states = await client.query<{ name: string; state: string; n: number }>(rangeStatesSql(queueSchema).text);
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
  await client.query(dropQueueSchemaSql(queueSchema).text);
  return contents;
}
