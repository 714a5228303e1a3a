/** `embed drop-queue`: removes the schema of distributed jobs' queue, saying what it held. */
import { EXIT } from '../process/exit-codes.js';
import { connect, connectionConfig } from '../db/database.js';
import { dropQueue, type QueueContents } from '../distributed/drop-queue.js';

export interface DropQueueOptions {
  databaseUrl?: string;
  force?: boolean;
  json?: boolean;
}

export async function dropQueueCommand(options: DropQueueOptions): Promise<number> {
  const client = await connect(connectionConfig(options.databaseUrl ?? (process.env.DATABASE_URL || undefined)));
  try {
    const dropped = await dropQueue(client, { force: options.force ?? false });
    process.stdout.write(options.json ? `${JSON.stringify({ dropped: dropped ?? null })}\n` : describe(dropped));
    return EXIT.done;
  } finally {
    await client.end();
  }
}

function describe(dropped: QueueContents | undefined): string {
  if (dropped === undefined) return 'no queue schema in this database; nothing to drop\n';
  const lines = [
    `dropped schema ${dropped.schema}: the range queue (pg-boss tables) and embed's records of ${dropped.jobs.length} distributed job(s)`,
  ];
  for (const job of dropped.jobs) {
    const ranges = Object.entries(job.ranges)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    lines.push(
      `  ${job.source} -> ${job.target} (${job.model}): ${job.passes} pass(es), ranges ${ranges || 'none'}, ${job.failedRows} failed row(s)`,
    );
  }
  lines.push(
    'the embeddings in the targets stay; a later --distributed run starts a new queue and plans every row again (rows already embedded are skipped on the server)',
  );
  return `${lines.join('\n')}\n`;
}
