/**
 * `npm run bench -- <table> [batchSize[,batchSize...]] [maxWorkers]`: the real CLI end to end for
 * workers 1, 2, 4, ... up to maxWorkers, next to what the hardware can do on the same texts (the bare
 * encoder's ceilings, no database) and what a naive one-row-at-a-time loop does (worker-scaling.ts).
 * Prints a table, writes JSON and an SVG chart under bench/results/. With --scale: the same command on
 * a 100k-row and a 1M-row table, to show that the engine's memory does not grow with the table
 * (table-scale.ts).
 */
import pg from 'pg';
import { parseBenchArgs } from './bench-options.js';
import { tableScaleBench } from './table-scale.js';
import { workerScalingBench } from './worker-scaling.js';

async function main(argv: string[]): Promise<number> {
  const { options, scale } = parseBenchArgs(argv);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL (${(error as Error).message.split('\n')[0]}); pass --database-url or set DATABASE_URL`);
  }
  try {
    if (scale) await tableScaleBench(client, options);
    else await workerScalingBench(client, options);
  } finally {
    await client.end();
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
