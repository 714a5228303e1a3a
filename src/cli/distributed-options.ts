/**
 * `--distributed` (or EMBED_DISTRIBUTED=1): this run joins the job's queue in PostgreSQL and shares its
 * ranges with every other host running the same command. `--lease S`: how long a silent host keeps
 * its ranges (see src/distributed/lease.ts). Modes that rewrite a job's progress belong to one host and
 * are refused.
 */
import { UsageError } from '../../common/errors.js';
import { defaults } from './defaults.js';

export interface DistributedOptions {
  distributed: boolean;
  leaseSeconds: number;
}

export interface DistributedFlags {
  distributed?: boolean;
  lease?: string;
  limit?: string;
  refresh?: boolean;
  rebuildState?: boolean;
  restart?: boolean;
  retryFailed?: boolean;
  metrics?: boolean;
  metricsOnly?: boolean;
}

const singleHostFlags: [keyof DistributedFlags, string][] = [
  ['limit', '--limit'],
  ['refresh', '--refresh'],
  ['rebuildState', '--rebuild-state'],
  ['restart', '--restart'],
  ['retryFailed', '--retry-failed'],
  ['metrics', '--metrics'],
  ['metricsOnly', '--metrics-only'],
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
  for (const [flag, name] of singleHostFlags) {
    if (flags[flag] !== undefined && flags[flag] !== false) {
      throw new UsageError(`${name} is not available with --distributed: run it on one host without --distributed`);
    }
  }
  return { distributed: true, leaseSeconds: flags.lease === undefined ? defaults.leaseSeconds : leaseSeconds(flags.lease, '--lease') };
}
