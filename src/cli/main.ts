#!/usr/bin/env node
/**
 * The entry point: parses arguments (yargs, strict), runs one command, and is the only place that turns
 * errors into exit codes and one-line messages. Commands are imported lazily so that --help loads
 * neither the model runtime nor the database driver.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { firstLine, UsageError } from '../../common/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { hideSecrets, secretsIn } from './secrets.js';

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
      'max-batch-tokens': { type: 'string', describe: 'padded tokens per model run [default: 1024]' },
      'sort-window': { type: 'string', describe: 'rows per worker task (whole batches), sorted by length together and committed together [default: 800]' },
      'write-method': { type: 'string', describe: 'copy (binary COPY) or insert (for servers without COPY) [default: copy]' },
      'cast-text': { type: 'boolean', describe: 'embed the text form of a column that is not text (integer, jsonb, ...)' },
      'db-down-budget': { type: 'string', describe: 'seconds to wait for a database that went away mid-run before stopping [default: 120]' },
      'lock-timeout': { type: 'string', describe: 'seconds to wait for a lock before giving up, 0 for the server\'s setting [default: 60]' },
      'statement-timeout': { type: 'string', describe: 'seconds a statement may run, 0 for the server\'s setting [default: 600]' },
      refresh: { type: 'boolean', describe: 'also re-embed rows whose text changed and rows never embedded, compared on the server' },
      'rebuild-state': { type: 'boolean', describe: 'forget the state file\'s progress for this job and rebuild it from the target' },
      restart: { type: 'boolean', describe: 'forget progress, delete the target\'s embeddings and embed everything (also to change model)' },
      'retry-failed': { type: 'boolean', describe: 'embed only the rows recorded as failed (see embed failures)' },
      metrics: { type: 'boolean', describe: 'also store text metrics (tokens, truncated, characters, words, frequency) as columns of the side table' },
      'metrics-only': { type: 'boolean', describe: 'store text metrics in <table>_metrics without running the model (tokenizer only)' },
      'fold-case': { type: 'boolean', describe: 'the frequency metric ignores case (texts are always trimmed, whitespace collapsed)' },
      quiet: { type: 'boolean', describe: 'no progress, no summary' },
      json: { type: 'boolean', describe: 'print one JSON summary object on stdout' },
    });

/** The flags that pick a recorded job, for the commands that read or forget one. */
const jobFlags = (y: Argv) =>
  y
    .positional('table', { type: 'string', describe: 'the table the job embeds', demandOption: true })
    .options({
      model: { type: 'string', describe: 'the job\'s --model, when the table has jobs with several (env EMBED_MODEL)' },
      target: { type: 'string', describe: 'the job\'s --target, when the table has jobs with several' },
      column: { type: 'string', describe: 'the job\'s --column' },
      'id-column': { type: 'string', describe: 'the job\'s --id-column' },
      'text-column': { type: 'string', describe: 'the job\'s --text-column' },
      'database-url': { type: 'string', describe: 'postgres:// URL [default: DATABASE_URL, else the PG* variables]' },
      state: { type: 'string', describe: 'state file (env EMBED_STATE) [default: .embed/state.sqlite]' },
      json: { type: 'boolean', describe: 'print JSON on stdout' },
    });

interface JobFlagValues {
  table: string;
  model?: string;
  target?: string;
  column?: string;
  'id-column'?: string;
  'text-column'?: string;
  'database-url'?: string;
  state?: string;
  json?: boolean;
}

const jobArgs = (args: JobFlagValues) => ({
  table: args.table,
  model: args.model,
  target: args.target,
  column: args.column,
  idColumn: args['id-column'],
  textColumn: args['text-column'],
  databaseUrl: args['database-url'],
  state: args.state,
  json: args.json,
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
        const { embed } = await import('../commands/embed/index.js');
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
          sortWindow: args['sort-window'],
          writeMethod: args['write-method'],
          castText: args['cast-text'],
          dbDownBudget: args['db-down-budget'],
          lockTimeout: args['lock-timeout'],
          statementTimeout: args['statement-timeout'],
          refresh: args.refresh,
          rebuildState: args['rebuild-state'],
          restart: args.restart,
          retryFailed: args['retry-failed'],
          metrics: args.metrics,
          metricsOnly: args['metrics-only'],
          foldCase: args['fold-case'],
          quiet: args.quiet,
          json: args.json,
          verbose,
        });
      },
    )
    .command('status <table>', 'how far the job on <table> is: rows done, speed, ETA, failures', jobFlags, async (args) => {
      const { status } = await import('../commands/status.js');
      exitCode = await status(jobArgs(args));
    })
    .command('failures <table>', 'the rows of the job on <table> that failed, with their errors', jobFlags, async (args) => {
      const { failures } = await import('../commands/failures.js');
      exitCode = await failures(jobArgs(args));
    })
    .command(
      'reset <table>',
      'forget the progress of the job on <table> (its embeddings stay unless --drop-target)',
      (y) => jobFlags(y).option('drop-target', { type: 'boolean', describe: 'also drop the side table of embeddings' }),
      async (args) => {
        const { reset } = await import('../commands/reset.js');
        exitCode = await reset({ ...jobArgs(args), dropTarget: args['drop-target'] });
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
    return report(error, verbose, secretsIn(argv));
  }
  return exitCode;
}

function report(error: unknown, verbose: boolean, secrets: readonly string[]): number {
  process.stderr.write(`embed: ${hideSecrets(firstLine(error), secrets)}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${hideSecrets(error.stack, secrets)}\n`);
  if (error instanceof UsageError) process.stderr.write('run embed --help for usage\n');
  return exitCodeFor(error);
}

const exitCode = await main(hideBin(process.argv));
process.exitCode = exitCode;
