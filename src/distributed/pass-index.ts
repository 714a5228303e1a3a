/**
 * The vector index of a distributed job: built by the host that finds the pass done, no range waiting,
 * running or failed. Every host marks its last range done before it looks, so the last host to finish
 * sees the pass whole; two that finish together meet at the build's lock (target/vector-index.ts).
 */
import type pg from 'pg';
import type { ConnectionConfig } from '../../common/connection-config.js';
import type { EmbedConfig } from '../config/config.js';
import { describeIndexOutcome, indexAfterPass } from '../job/index-build.js';
import type { Target } from '../target/target-table.js';
import { passStatus } from './pass-status.js';

export async function indexWhenPassDone(
  config: EmbedConfig,
  connection: ConnectionConfig,
  target: Target,
  pass: { pool: pg.Pool; queue: string; number: number },
  say: (line: string) => void,
): Promise<void> {
  if (target.index === 'none') return;
  const whole = await passStatus(pass.pool, pass.queue, pass.number);
  if (whole.ranges.running + whole.ranges.waiting + whole.ranges.failed > 0) return;
  const outcome = await indexAfterPass(config, connection, target);
  if (outcome !== undefined) say(describeIndexOutcome(outcome));
}
