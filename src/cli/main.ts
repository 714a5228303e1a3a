#!/usr/bin/env node
/**
 * The entry point: parses arguments (yargs, strict), runs one command, and is the only place that turns
 * errors into exit codes and one-line messages. Commands are imported lazily so that --help loads
 * neither the model runtime nor the database driver.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { firstLine, UsageError } from '../../common/errors.js';
import { explainNativeModuleMismatch } from '../../common/native-module.js';
import { defaults } from '../config/defaults.js';
import { EXIT, exitCodeFor } from '../process/exit-codes.js';
import { argsOf, embedOptions, jobOptions, jobTextOption, searchOptions, watchOptions, yargsOptions } from '../config/options.js';
import { hideSecrets, secretsIn } from './secrets.js';
import { explainParseFailure } from './unknown-flags.js';
import { packageRoot } from '../paths.js';

const version = String(JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version);

/** The flags each command takes, for "did you mean". */
const always = ['verbose', 'help', 'version'];
const flagsByCommand = {
  '': [...Object.keys(embedOptions), ...always],
  status: [...Object.keys(jobOptions), 'text', ...always],
  failures: [...Object.keys(jobOptions), 'text', ...always],
  reset: [...Object.keys(jobOptions), 'text', 'drop-target', ...always],
  search: [...Object.keys(jobOptions), ...Object.keys(searchOptions), ...always],
};

const embedFlags = (y: Argv) =>
  y
    .positional('table', { type: 'string', describe: 'table of texts: name, schema.name or "Quoted Name"', demandOption: true })
    .positional('batchSize', { type: 'string', describe: `rows per committed batch [default: ${defaults.batchSize}]` })
    .options(yargsOptions(embedOptions));

/** The flags that pick a recorded job, for the commands that read or forget one. */
const jobFlags = (y: Argv) =>
  y.positional('table', { type: 'string', describe: 'the table the job embeds', demandOption: true }).options(yargsOptions(jobOptions));

const jobArgs = (args: Record<string, unknown>) => ({ table: String(args.table), ...argsOf(jobOptions, args) });

/** The same, and --text (not for search, whose <text> positional is the query). */
const jobTextFlags = (y: Argv) => jobFlags(y).options(yargsOptions(jobTextOption));
const jobTextArgs = (args: Record<string, unknown>) => ({ ...jobArgs(args), textTemplate: argsOf(jobTextOption, args).text });

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let exitCode: number = EXIT.done;
  const parser = yargs(argv)
    .scriptName('embed')
    .usage('$0 <table> [batchSize] [options]\n\nEmbed every row of a PostgreSQL table with a local ONNX model.')
    .command('$0 <table> [batchSize]', 'embed the rows of <table> that are not embedded yet', embedFlags, async (args) => {
      const { embed } = await import('../commands/embed/index.js');
      const batchSize = typeof args.batchSize === 'string' ? args.batchSize : undefined;
      exitCode = await embed({ table: String(args.table), batchSize, verbose, ...argsOf(embedOptions, args) });
    })
    .command(
      'watch <table> [batchSize]',
      'embed the rows of <table> not embedded yet, then keep embedding inserts and edits as they commit, until Ctrl-C or SIGTERM',
      (y) => embedFlags(y).options(yargsOptions(watchOptions)),
      async (args) => {
        const { watch } = await import('../commands/watch/index.js');
        const batchSize = typeof args.batchSize === 'string' ? args.batchSize : undefined;
        exitCode = await watch({
          table: String(args.table),
          batchSize,
          verbose,
          ...argsOf(embedOptions, args),
          ...argsOf(watchOptions, args),
        });
      },
    )
    .command(
      'unwatch <table>',
      'remove the trigger embed watch --install-trigger added to <table> (and its function once unused)',
      (y) =>
        y
          .positional('table', { type: 'string', describe: 'the watched table', demandOption: true })
          .options(yargsOptions({ 'database-url': embedOptions['database-url'] })),
      async (args) => {
        const { unwatch } = await import('../commands/unwatch.js');
        exitCode = await unwatch({
          table: String(args.table),
          databaseUrl: typeof args['database-url'] === 'string' ? args['database-url'] : undefined,
        });
      },
    )
    .command('status <table>', 'how far the job on <table> is: rows done, speed, ETA, failures', jobTextFlags, async (args) => {
      const { status } = await import('../commands/status.js');
      exitCode = await status(jobTextArgs(args));
    })
    .command(
      'search <table> <text>',
      'the rows of <table> nearest <text>: id, cosine similarity and a snippet, from the vectors the job wrote',
      (y) =>
        jobFlags(y)
          .positional('text', { type: 'string', describe: 'what to search for', demandOption: true })
          .options(yargsOptions(searchOptions)),
      async (args) => {
        const { search } = await import('../commands/search.js');
        exitCode = await search({ ...jobArgs(args), ...argsOf(searchOptions, args), text: String(args.text) });
      },
    )
    .command('failures <table>', 'the rows of the job on <table> that failed, with their errors', jobTextFlags, async (args) => {
      const { failures } = await import('../commands/failures.js');
      exitCode = await failures(jobTextArgs(args));
    })
    .command(
      'reset <table>',
      'forget the progress of the job on <table> (its embeddings stay unless --drop-target)',
      (y) => jobTextFlags(y).option('drop-target', { type: 'boolean', describe: 'also drop the side table of embeddings' }),
      async (args) => {
        const { reset } = await import('../commands/reset.js');
        exitCode = await reset({ ...jobTextArgs(args), dropTarget: args['drop-target'] === true });
      },
    )
    .command(
      'drop-queue',
      'remove the queue of distributed jobs (schema embed_queue), saying what it held; embeddings stay',
      (y) =>
        y.options({
          ...yargsOptions({ 'database-url': jobOptions['database-url'], json: jobOptions.json }),
          force: { type: 'boolean', describe: 'drop it even while hosts hold ranges' },
        }),
      async (args) => {
        const { dropQueueCommand } = await import('../commands/drop-queue.js');
        const { databaseUrl, json } = argsOf({ 'database-url': jobOptions['database-url'], json: jobOptions.json }, args);
        exitCode = await dropQueueCommand({ databaseUrl, force: args.force === true, json });
      },
    )
    .option('verbose', { type: 'boolean', describe: 'print stack traces with errors', global: true })
    // Flags stay as typed: no camelCase twins of them to show up in "unknown argument" messages.
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .help()
    .alias('h', 'help')
    .version(version)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      throw error ?? new UsageError(explainParseFailure(message, argv, flagsByCommand) ?? message);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return report(error, verbose, secretsIn(argv));
  }
  return exitCode;
}

function report(error: unknown, verbose: boolean, secrets: readonly string[]): number {
  const line = explainNativeModuleMismatch(error) ?? firstLine(error);
  process.stderr.write(`embed: ${hideSecrets(line, secrets)}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${hideSecrets(error.stack, secrets)}\n`);
  if (error instanceof UsageError) process.stderr.write('run embed --help for usage\n');
  return exitCodeFor(error);
}

const exitCode = await main(hideBin(process.argv));
process.exitCode = exitCode;
