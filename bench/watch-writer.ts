/**
 * The bench's writer: a steady stream of small inserting transactions (`rate` rows a second, ten
 * commits a second) and, every `burstEvery` seconds, one transaction of `burst` rows. Each row says
 * whether it came in a burst; its commit time is the server's (track_commit_timestamp).
 */
import pg from 'pg';

export interface WriterPlan {
  table: string;
  seconds: number;
  rate: number;
  burst: number;
  burstEvery: number;
  texts: readonly string[];
}

export interface WriterLog {
  rows: number;
  /** Seconds from the writer's start at which each burst committed. */
  bursts: number[];
}

export async function runWriter(databaseUrl: string, plan: WriterPlan, startedAt: number): Promise<WriterLog> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench writer' });
  await client.connect();
  let next = 0;
  const textsFor = (count: number) => Array.from({ length: count }, () => plan.texts[next++ % plan.texts.length]!);
  const insert = (count: number, burst: boolean) =>
    client.query(`INSERT INTO ${plan.table} (text, burst) SELECT unnest($1::text[]), $2`, [textsFor(count), burst]);
  const log: WriterLog = { rows: 0, bursts: [] };
  const tick = 100;
  const perTick = (plan.rate * tick) / 1000;
  let owed = 0;
  let nextBurst = plan.burstEvery;
  try {
    for (let at = tick; at <= plan.seconds * 1000; at += tick) {
      const wait = startedAt + at - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      owed += perTick;
      const rows = Math.floor(owed);
      owed -= rows;
      if (rows > 0) await insert(rows, false);
      log.rows += rows;
      if (at >= nextBurst * 1000 && at < plan.seconds * 1000) {
        await insert(plan.burst, true);
        log.rows += plan.burst;
        log.bursts.push((performance.now() - startedAt) / 1000);
        nextBurst += plan.burstEvery;
      }
    }
  } finally {
    await client.end();
  }
  return log;
}
