/**
 * A host's progress bar counts the pass, not the host: rows done by every host (this one's as its
 * tasks commit, the others' as their ranges complete, read from the queue every few seconds) against
 * the pass's planned rows, so the ETA is the pass's rows left over the job's rate: every host's rows
 * since this host started, over this host's time (counted from the command's start, as a plain run's is).
 */
import type pg from 'pg';
import { createProgress, type ProgressReporter } from '../pass/progress.js';
import { queueSchema } from './queue-schema.js';
import { hostName } from './range-queue.js';
import { othersRowsSql } from './queue-sql.js';

const pollMs = 2000;

export async function passProgress(
  pool: pg.Pool,
  queue: string,
  pass: { number: number; rows: number },
  options: { quiet: boolean; startedAt: number },
): Promise<ProgressReporter> {
  if (options.quiet) return createProgress(pass.rows, { quiet: true });
  const othersRows = othersRowsSql(queueSchema, queue, pass.number, hostName);
  const others = async () => Number((await pool.query<{ n: string }>(othersRows.text, othersRows.values)).rows[0]!.n);
  const othersAtStart = await others();
  const bar = createProgress(pass.rows, { quiet: false, rowsBefore: othersAtStart, startedAt: options.startedAt, label: `pass ${pass.number}, all hosts` });
  let mine = 0;
  let othersSince = 0;
  const poll = setInterval(() => {
    others().then(
      (n) => {
        othersSince = Math.max(othersSince, n - othersAtStart);
        bar.update(mine + othersSince);
      },
      () => undefined,
    );
  }, pollMs);
  poll.unref();
  return {
    update(rows) {
      mine = rows;
      bar.update(mine + othersSince);
    },
    stop() {
      clearInterval(poll);
      bar.stop();
    },
  };
}
