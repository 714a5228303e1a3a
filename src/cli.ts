#!/usr/bin/env node
/**
 * The entry point: parses arguments (yargs, strict), runs one command, and is the only place that turns
 * errors into exit codes and one-line messages. Commands are imported lazily so that --help loads
 * neither the model runtime nor the database driver.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, exitCodeFor, UsageError } from './errors.js';

const embedFlags = (y: Argv) =>
  y
    .positional('table', { type: 'string', describe: 'table of texts: name, schema.name or "Quoted Name"', demandOption: true })
    .positional('batchSize', { type: 'string', describe: 'rows per committed batch [default: 100]' })
    .options({
      workers: { type: 'string', describe: 'worker threads, a number or auto (env EMBED_WORKERS) [default: auto = cores]' },
      threads: { type: 'string', describe: 'ONNX threads per worker [default: max(1, floor(cores / workers))]' },
      model: { type: 'string', describe: 'model name under models/ or a folder path (env EMBED_MODEL) [default: Xenova/all-MiniLM-L6-v2]' },
      dtype: { type: 'string', describe: 'weights: fp32 or q8 (int8 quantized) [default: fp32]' },
      device: { type: 'string', describe: 'cpu or cuda [default: cpu]' },
      'id-column': { type: 'string', describe: 'unique, orderable id column [default: id]' },
      'text-column': { type: 'string', describe: 'column with the text [default: text]' },
      target: { type: 'string', describe: 'side table to write [default: <table>_embeddings]' },
      column: { type: 'string', describe: 'write into this column of the source table instead of a side table' },
      limit: { type: 'string', describe: 'embed at most this many rows in this run' },
      'database-url': { type: 'string', describe: 'postgres:// URL [default: DATABASE_URL, else the PG* variables]' },
      state: { type: 'string', describe: 'state file (env EMBED_STATE) [default: .embed/state.sqlite]' },
      'max-batch-tokens': { type: 'string', describe: 'padded tokens per model run [default: 4096]' },
      'write-method': { type: 'string', describe: 'copy (binary COPY) or insert (for servers without COPY) [default: copy]' },
      quiet: { type: 'boolean', describe: 'no progress, no summary' },
      json: { type: 'boolean', describe: 'print one JSON summary object on stdout' },
    });

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let exitCode: number = EXIT.done;
  const parser = yargs(argv)
    .scriptName('embed')
    .usage('$0 <table> [batchSize] [options]\n\nEmbed every row of a PostgreSQL table with a local ONNX model.')
    .command(
      '$0 <table> [batchSize]',
      'embed the rows of <table> that are not embedded yet',
      embedFlags,
      async (args) => {
        const { embed } = await import('./commands/embed.js');
        exitCode = await embed({
          table: args.table,
          batchSize: args.batchSize,
          workers: args.workers,
          threads: args.threads,
          model: args.model,
          dtype: args.dtype,
          device: args.device,
          idColumn: args['id-column'],
          textColumn: args['text-column'],
          target: args.target,
          column: args.column,
          limit: args.limit,
          databaseUrl: args['database-url'],
          state: args.state,
          maxBatchTokens: args['max-batch-tokens'],
          writeMethod: args['write-method'],
          quiet: args.quiet,
          json: args.json,
          verbose,
        });
      },
    )
    .option('verbose', { type: 'boolean', describe: 'print stack traces with errors', global: true })
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return report(error, verbose);
  }
  return exitCode;
}

function report(error: unknown, verbose: boolean): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`embed: ${message.split('\n')[0]}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  if (error instanceof UsageError) process.stderr.write('run embed --help for usage\n');
  return exitCodeFor(error);
}

const exitCode = await main(hideBin(process.argv));
process.exitCode = exitCode;
