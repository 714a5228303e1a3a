/**
 * `embed reset <table>`: forgets a job's progress, failures and run history. The embeddings stay unless
 * --drop-target, so the next run rebuilds progress from them; the side table is dropped only if its
 * comment shows that embed wrote it.
 */
import { UsageError } from '../../common/errors.js';
import { EXIT } from '../process/exit-codes.js';
import { databaseLine, databaseRead, jobTables, openLookup, singleJob, type JobLookupArgs } from '../job/job-lookup.js';
import { dropWrittenTable } from '../target/target-marker.js';

export interface ResetOptions extends JobLookupArgs {
  dropTarget?: boolean;
  json?: boolean;
}

export async function reset(options: ResetOptions): Promise<number> {
  const session = await openLookup(options);
  try {
    const job = singleJob(session);
    const { target } = await jobTables(session.client, job.identity);
    if (options.dropTarget && target.ref.kind === 'column') {
      throw new UsageError(
        `--drop-target drops side tables only; ${target.display} is a column of your table: drop it with ALTER TABLE if you mean to`,
      );
    }
    // Held until the job is forgotten, so that no run starts on it halfway through.
    job.lock();
    let dropped = false;
    try {
      if (options.dropTarget && target.ref.kind === 'table') dropped = await dropWrittenTable(session.client, target.ref, target.display);
      job.forget();
    } finally {
      job.unlock();
    }
    const database = databaseRead(session);
    const summary = { forgotten: job.identity, stateFile: session.state.file, database, droppedTarget: dropped ? target.display : null };
    process.stdout.write(
      options.json
        ? `${JSON.stringify(summary)}\n`
        : `forgot the progress of ${job.identity.source} -> ${target.display} (model ${job.identity.model}) in ${session.state.file}; ` +
            (dropped
              ? `dropped ${target.display}\n`
              : `the embeddings stay in ${target.display}, and the next run rebuilds progress from them\n`) +
            `${databaseLine(database)}\n`,
    );
    return EXIT.done;
  } finally {
    await session.close();
  }
}
