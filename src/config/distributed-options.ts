/**
 * `--distributed` (or EMBED_DISTRIBUTED=1): this run joins the job's queue in PostgreSQL and shares its
 * ranges with every other host running the same command. `--lease S`: how long a silent host keeps
 * its ranges (see src/distributed/lease.ts). Modes that rewrite a job's progress belong to one host and
 * are refused, each in one line that says what to do instead; --retry-failed works (it retries the rows
 * failed on any host, see src/distributed/retry-failed.ts).
 */
import { UsageError } from '../../common/errors.js';
import { defaults } from './defaults.js';

export interface DistributedOptions {
  distributed: boolean;
  leaseSeconds: number;
}

export interface DistributedFlags {
  table?: string;
  distributed?: boolean;
  lease?: string;
  limit?: string;
  refresh?: boolean;
  rebuildState?: boolean;
  restart?: boolean;
  metrics?: boolean;
  metricsOnly?: boolean;
  metricsPort?: string;
  logFormat?: string;
}

/** Each plain-run option a distributed run refuses, and what to do instead (TABLE: the table given). */
const singleHostFlags: [keyof DistributedFlags, string, string][] = [
  ['limit', '--limit', 'a pass covers every row it planned; to embed at most N rows, run embed TABLE --limit N on one host'],
  [
    'refresh',
    '--refresh',
    'later --distributed runs already take late commits and edited texts; for the full compare run embed TABLE --refresh on one host',
  ],
  [
    'rebuildState',
    '--rebuild-state',
    'its progress lives in the queue, not in a state file; embed drop-queue, then a --distributed run, plans every row again and skips those the target holds',
  ],
  [
    'restart',
    '--restart',
    'run embed TABLE --restart on one host (it empties the target and embeds every row), or drop the target and run embed drop-queue before starting the hosts',
  ],
  ['metrics', '--metrics', 'run embed TABLE --metrics on one host'],
  ['metricsOnly', '--metrics-only', 'run embed TABLE --metrics-only on one host'],
  ['metricsPort', '--metrics-port', 'follow the pass with embed status TABLE (ranges, rows/s per host, ETA)'],
];

/** The lease: a few seconds at least (it is beaten three times over), an hour at most. */
export function leaseSeconds(value: string, name: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 3 || Number(trimmed) > 3600) {
    throw new UsageError(`${name} must be a whole number of seconds from 3 to 3600, got ${JSON.stringify(value)}`);
  }
  return Number(trimmed);
}

export function resolveDistributedOptions(flags: DistributedFlags, env: NodeJS.ProcessEnv = process.env): DistributedOptions {
  const fromEnv = env.EMBED_DISTRIBUTED;
  if (fromEnv !== undefined && !['', '0', '1'].includes(fromEnv.trim())) {
    throw new UsageError(`EMBED_DISTRIBUTED must be 1 or 0, got ${JSON.stringify(fromEnv)}`);
  }
  const enabled = flags.distributed ?? fromEnv?.trim() === '1';
  if (!enabled) {
    if (flags.lease !== undefined) throw new UsageError('--lease applies to distributed runs: pass --distributed too');
    return { distributed: false, leaseSeconds: defaults.leaseSeconds };
  }
  const table = flags.table ?? 'TABLE';
  for (const [flag, name, instead] of singleHostFlags) {
    const value = flag === 'metricsPort' ? (flags.metricsPort ?? env.EMBED_METRICS_PORT) : flags[flag];
    if (value !== undefined && value !== false) {
      throw new UsageError(`${name} is not available with --distributed: ${instead.replaceAll('TABLE', table)}`);
    }
  }
  if (flags.logFormat === 'json') {
    throw new UsageError(
      `--log-format json is not available with --distributed: its lines are for people; for figures run embed status ${table} --json`,
    );
  }
  return { distributed: true, leaseSeconds: flags.lease === undefined ? defaults.leaseSeconds : leaseSeconds(flags.lease, '--lease') };
}
