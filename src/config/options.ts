/**
 * The embed command's flags, each declared once: name, type, environment variable, default, parse and
 * help. The yargs options and their help text, the args type (EmbedArgs) and the values config.ts
 * resolves all come from this table, so a default shown by --help is the one a run uses.
 * Longer than 250 lines because every flag is one row of this one table.
 */
import { parseColumnName, parseTableName } from '../db/table-name.js';
import { defaults } from './defaults.js';
import { leaseSeconds } from './distributed-options.js';
import type { LogFormat } from '../observe/event-log.js';
import { poolings } from '../../common/output-profile.js';
import { DTYPES } from '../model/dtype.js';
import { parseTextTemplate } from './text-template.js';
import { parseChunkWindow } from '../../common/chunk-window.js';
import { indexKinds, memorySize, vectorTypes } from './index-options.js';
import { aWeek, nonEmpty, oneOf, parseOnnxFile, port, positiveInteger, seconds } from './parse.js';

export interface StringOption<T> {
  type: 'string';
  /** The environment variable a flag not given falls back to. */
  env?: string;
  help: string;
  /** The value when neither the flag nor its variable is set. */
  value?: T;
  /** Words for a default that is computed rather than fixed (shown by --help instead of value). */
  shown?: string;
  /** Checks the text of the flag (name `--flag`) or of its variable (name `ENV`). */
  parse?: (value: string, name: string) => T;
}

export interface BooleanOption {
  type: 'boolean';
  help: string;
}

export type OptionSpec = StringOption<unknown> | BooleanOption;

const string = <S extends Omit<StringOption<unknown>, 'type'>>(spec: S) => ({ type: 'string' as const, ...spec });
const flag = (help: string): BooleanOption => ({ type: 'boolean', help });

export const embedOptions = {
  workers: string({ env: 'EMBED_WORKERS', shown: 'auto = cores', help: 'worker threads, a number or auto' }),
  threads: string({ shown: 'max(1, floor(cores / workers))', help: 'ONNX threads per worker' }),
  model: string({ env: 'EMBED_MODEL', value: defaults.model, help: 'model name under models/ or a folder path', parse: nonEmpty }),
  dtype: string({
    value: defaults.dtype,
    help: `weights, by transformers.js's name: ${DTYPES.join(', ')} (onnx/model.onnx, onnx/model_quantized.onnx, onnx/model_<dtype>.onnx)`,
    parse: (value: string, name: string) => oneOf(value, name, DTYPES),
  }),
  'onnx-file': string({
    help: 'the ONNX file by its path inside the model folder, for one no --dtype names (e.g. onnx/model_O4.onnx)',
    parse: parseOnnxFile,
  }),
  pooling: string({
    shown: "the model's (1_Pooling/config.json, or embed's table of known models), else mean",
    help: 'token vectors to one vector: mean, cls, max, last-token or mean-sqrt-len',
    parse: (value: string, name: string) => oneOf(value, name, poolings),
  }),
  prompt: string({
    shown: "the model's document prompt (config_sentence_transformers.json), else none",
    help: 'text put before every row before tokenizing ("" for none)',
    parse: (value: string) => value,
  }),
  'prompt-name': string({
    help: "the document prompt by its name in the model's prompts (config_sentence_transformers.json)",
    parse: nonEmpty,
  }),
  dimensions: string({
    shown: "the model's",
    help: 'keep the first N values of each vector (Matryoshka models), normalised again',
    parse: (value: string, name: string) => positiveInteger(value, name, 100_000),
  }),
  'raw-vectors': flag('store the vectors of a model without a Normalize module as it gives them, not scaled to unit length'),
  device: string({
    value: defaults.device,
    help: 'cpu or cuda',
    parse: (value: string, name: string) => oneOf(value, name, ['cpu', 'cuda'] as const),
  }),
  'id-column': string({ value: defaults.idColumn, help: 'unique, orderable id column', parse: parseColumnName }),
  'text-column': string({ value: defaults.textColumn, help: 'column with the text', parse: parseColumnName }),
  text: string({
    help: "the text from several columns, rendered by the server: a template such as '{title}\\n\\n{body}' (instead of --text-column)",
    parse: parseTextTemplate,
  }),
  target: string({ shown: '<table>_embeddings', help: 'side table to write', parse: parseTableName }),
  column: string({ help: 'write into this column of the source table instead of a side table', parse: parseColumnName }),
  chunk: string({
    help: 'cut each text into chunks of at most TOKENS tokens (special tokens and prompt counted), consecutive ones sharing about OVERLAP, one vector each, in <table>_chunks; TOKENS[:OVERLAP]',
    parse: parseChunkWindow,
  }),
  limit: string({
    help: 'embed at most this many rows in this run',
    parse: (value: string, name: string) => positiveInteger(value, name, Number.MAX_SAFE_INTEGER),
  }),
  'database-url': string({ env: 'DATABASE_URL', shown: 'the PG* variables', help: 'postgres:// URL' }),
  state: string({ env: 'EMBED_STATE', value: defaults.statePath, help: 'state file', parse: nonEmpty }),
  'max-batch-tokens': string({
    value: defaults.maxBatchTokens,
    help: 'padded tokens per model run',
    parse: (value: string, name: string) => positiveInteger(value, name, 1_000_000),
  }),
  'sort-window': string({
    value: defaults.sortWindow,
    help: 'rows per worker task (whole batches), sorted by length together and committed together',
    parse: (value: string, name: string) => positiveInteger(value, name, 100_000),
  }),
  'write-method': string({
    value: defaults.writeMethod,
    help: 'copy (binary COPY) or insert (for servers without COPY)',
    parse: (value: string, name: string) => oneOf(value, name, ['copy', 'insert'] as const),
  }),
  index: string({
    shown: 'hnsw on a pgvector target, none on real[]',
    help: 'vector index built with CREATE INDEX CONCURRENTLY once a pass has completed: hnsw, ivfflat or none',
    parse: (value: string, name: string) => oneOf(value, name, indexKinds),
  }),
  'maintenance-work-mem': string({
    shown: "the server's",
    help: 'maintenance_work_mem of the index build, e.g. 1GB (the build is much faster when the graph fits)',
    parse: memorySize,
  }),
  'vector-type': string({
    value: 'vector' as (typeof vectorTypes)[number],
    help: 'pgvector column type of a new target: vector (4 bytes a value) or halfvec (2 bytes, pgvector 0.7 or later)',
    parse: (value: string, name: string) => oneOf(value, name, vectorTypes),
  }),
  'cast-text': flag('embed the text form of a column that is not text (integer, jsonb, ...)'),
  'db-down-budget': string({
    value: defaults.dbDownBudgetSeconds,
    help: 'seconds to wait for a database that went away mid-run before stopping',
    parse: (value: string, name: string) => positiveInteger(value, name, aWeek, 'a whole number of seconds'),
  }),
  'lock-timeout': string({
    value: defaults.lockTimeoutSeconds,
    help: "seconds to wait for a lock before giving up, 0 for the server's setting",
    parse: seconds,
  }),
  'statement-timeout': string({
    value: defaults.statementTimeoutSeconds,
    help: "seconds a statement may run, 0 for the server's setting",
    parse: seconds,
  }),
  refresh: flag('also re-embed rows whose text changed and rows never embedded, compared on the server'),
  'rebuild-state': flag("forget the state file's progress for this job and rebuild it from the target"),
  restart: flag("forget progress, delete the target's embeddings and embed everything (also to change model)"),
  'retry-failed': flag('embed only the rows recorded as failed (see embed failures)'),
  metrics: flag('also store text metrics (tokens, truncated, characters, words, frequency) as columns of the side table'),
  'metrics-only': flag('store text metrics in <table>_metrics without running the model (tokenizer only)'),
  'fold-case': flag('the frequency metric ignores case (texts are always trimmed, whitespace collapsed)'),
  distributed: flag('share the job with other hosts running the same command, through a queue in PostgreSQL (env EMBED_DISTRIBUTED=1)'),
  lease: string({
    value: defaults.leaseSeconds,
    help: 'seconds a silent host of a distributed run keeps its ranges before the others take them over',
    parse: leaseSeconds,
  }),
  quiet: flag('no progress, no summary'),
  json: flag('print one JSON summary object on stdout'),
  'metrics-port': string({
    env: 'EMBED_METRICS_PORT',
    help: 'serve Prometheus metrics at http://HOST:PORT/metrics and liveness at /healthz (0: a free port, logged at start)',
    parse: port,
  }),
  'metrics-linger': string({
    help: 'after the run ends, keep serving /metrics up to this many seconds, until one scrape has read the final values',
    parse: (value: string, name: string) => positiveInteger(value, name, 3600, 'a whole number of seconds'),
  }),
  'log-format': string({
    value: 'human' as LogFormat,
    help: 'events on stderr as human lines or as one JSON object per line',
    parse: (value: string, name: string) => oneOf(value, name, ['human', 'json'] as const),
  }),
};

/** The flags only `embed watch` has. */
export const watchOptions = {
  'install-trigger': flag('add a statement-level trigger that notifies the watcher of each change (removed by embed unwatch)'),
};

/** The flags that pick a recorded job, for the commands that read or forget one. */
export const jobOptions = {
  model: string({ env: 'EMBED_MODEL', help: "the job's --model, when the table has jobs with several" }),
  target: string({ help: "the job's --target, when the table has jobs with several" }),
  column: string({ help: "the job's --column" }),
  'id-column': string({ help: "the job's --id-column" }),
  'text-column': string({ help: "the job's --text-column" }),
  chunk: string({ help: "the job's --chunk, when the table has jobs with several windows" }),
  'database-url': embedOptions['database-url'],
  state: embedOptions.state,
  json: flag('print JSON on stdout'),
};

/** Picks a job by its --text template: status, failures and reset (search's <text> is the query). */
export const jobTextOption = {
  text: string({ help: "the job's --text template" }),
};

/** The flags of `embed search`, beside those that pick the job. */
export const searchOptions = {
  k: string({ value: 10, help: 'how many rows to show' }),
  dtype: string({ value: defaults.dtype, help: "the job's --dtype (fp32, q8, ... as for embed)" }),
};

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** The values of a table of options as yargs hands them over, keyed in camelCase: strings, so that every check is ours. */
export type ArgsOf<O> = { [K in keyof O & string as Camel<K>]?: O[K] extends BooleanOption ? boolean : string };

/** The embed command line: the positionals, the table's flags and the global --verbose. */
export type EmbedArgs = { table: string; batchSize?: string; verbose?: boolean } & ArgsOf<typeof embedOptions>;

/** The watch command line: the embed command's and its own flags. */
export type WatchArgs = EmbedArgs & ArgsOf<typeof watchOptions>;

export const camelCase = (name: string): string => name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

/** What --help says of an option: its help, its variable and its default. */
export function describeOption(spec: OptionSpec): string {
  if (spec.type === 'boolean') return spec.help;
  const shown = spec.shown ?? (spec.value === undefined ? undefined : String(spec.value));
  return `${spec.help}${spec.env === undefined ? '' : ` (env ${spec.env})`}${shown === undefined ? '' : ` [default: ${shown}]`}`;
}

/** The yargs options of a table. */
export function yargsOptions(options: Record<string, OptionSpec>): Record<string, { type: 'string' | 'boolean'; describe: string }> {
  return Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type, describe: describeOption(spec) }]));
}

/** A table's values from what yargs parsed (kebab-case flags), keyed in camelCase and checked for type. */
export function argsOf<O extends Record<string, OptionSpec>>(options: O, parsed: Record<string, unknown>): ArgsOf<O> {
  const entries = Object.entries(options).map(([name, spec]) => {
    const value = parsed[name];
    return [camelCase(name), typeof value === spec.type ? value : undefined] as const;
  });
  // Built key by key from the table above, each value of its option's type: what ArgsOf<O> spells out.
  return Object.fromEntries(entries) as ArgsOf<O>;
}

/**
 * A string option's value: the flag's, else its variable's, checked by its parse; undefined when
 * neither is set (the caller then takes the option's value).
 */
export function given<T>(
  args: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
  name: string,
  spec: { env?: string; parse: (value: string, name: string) => T },
): T | undefined {
  const fromFlag = args[camelCase(name)];
  if (typeof fromFlag === 'string') return spec.parse(fromFlag, `--${name}`);
  const fromEnv = spec.env === undefined ? undefined : env[spec.env];
  return fromEnv === undefined || spec.env === undefined ? undefined : spec.parse(fromEnv, spec.env);
}
