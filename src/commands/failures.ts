/** `embed failures <table>`: the rows a job could not embed, with the error and how often they were tried. */
import { EXIT } from '../process/exit-codes.js';
import { failedRows } from '../distributed/host-records.js';
import { jobQueueStatus } from '../distributed/pass-status.js';
import { databaseLine, databaseRead, openLookup, singleJob, type JobLookupArgs } from '../job/job-lookup.js';

export interface FailuresOptions extends JobLookupArgs {
  json?: boolean;
}

export async function failures(options: FailuresOptions): Promise<number> {
  const session = await openLookup(options);
  try {
    const job = singleJob(session);
    // A distributed job's rows failed on any of its hosts: they are in the queue schema, with the host.
    const queue = await jobQueueStatus(session.client, job.identity);
    const rows: { rowId: string; error: string; attempts: number; lastAt: string; host?: string }[] = [
      ...job.failures(),
      ...(queue === undefined ? [] : await failedRows(session.client, queue.queue)),
    ];
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify(
          rows.map((r) => ({ id: r.rowId, error: r.error, attempts: r.attempts, lastAt: r.lastAt, ...(r.host && { host: r.host }) })),
        )}\n`,
      );
      return EXIT.done;
    }
    if (rows.length === 0) {
      process.stdout.write(`no failed rows for ${job.identity.source} -> ${job.identity.target}\n${databaseLine(databaseRead(session))}\n`);
      return EXIT.done;
    }
    const idWidth = Math.max(2, ...rows.map((r) => r.rowId.length));
    const lines = [`${'id'.padEnd(idWidth)}  attempts  last tried (UTC)     error`];
    for (const r of rows) {
      lines.push(
        `${r.rowId.padEnd(idWidth)}  ${String(r.attempts).padStart(8)}  ${r.lastAt}  ${r.host === undefined ? '' : `[${r.host}] `}${r.error}`,
      );
    }
    lines.push(`${rows.length} failed row${rows.length === 1 ? '' : 's'}; the same embed command with --retry-failed retries them`);
    lines.push(databaseLine(databaseRead(session)));
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.done;
  } finally {
    await session.close();
  }
}
