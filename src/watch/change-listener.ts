/**
 * The watcher's LISTEN connection (only when the table has the trigger): a notification for the
 * table's oid ends the current wait. The connection is its own, since a LISTEN must stay open between
 * statements; when it is lost it is opened again once the database answers, and the watcher then looks
 * at the table at once, because notifications sent meanwhile are gone.
 */
import pg from 'pg';
import type { ConnectionConfig } from '../../common/connection-config.js';
import { notifyChannel } from './change-trigger.js';
import { listenSql } from './watch-sql.js';

export interface ChangeListener {
  /** Resolves after `ms`, or earlier on a notification for the table, a lost connection or wake(). */
  wait(ms: number): Promise<'notified' | 'timeout' | 'woken' | 'reconnect'>;
  /** Ends the current wait (the user asked to stop). */
  wake(): void;
  close(): Promise<void>;
}

export function timerOnly(): ChangeListener {
  let wake: (() => void) | undefined;
  return {
    wait: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), ms);
        wake = () => {
          clearTimeout(timer);
          resolve('woken');
        };
      }),
    wake: () => wake?.(),
    close: async () => undefined,
  };
}

export async function listenForChanges(connection: ConnectionConfig, oid: string): Promise<ChangeListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let pending: 'notified' | 'reconnect' | undefined;
  let settle: ((why: 'notified' | 'timeout' | 'woken' | 'reconnect') => void) | undefined;
  const signal = (why: 'notified' | 'reconnect') => {
    if (settle) settle(why);
    else if (pending !== 'reconnect') pending = why;
  };
  const open = async () => {
    const fresh = new pg.Client(connection);
    fresh.on('error', () => undefined);
    fresh.on('notification', (message) => {
      if (message.channel === notifyChannel && message.payload === oid) signal('notified');
    });
    fresh.on('end', () => {
      if (closed || client !== fresh) return;
      client = undefined;
      // The watcher's next look finds what was written meanwhile; the listener comes back with it.
      signal('reconnect');
    });
    await fresh.connect();
    await fresh.query(listenSql(notifyChannel).text);
    client = fresh;
  };
  await open();
  return {
    async wait(ms) {
      if (!client && !closed) {
        // Lost: try again now; while the database is away the wait is a plain timer.
        await open().then(
          () => signal('reconnect'),
          () => undefined,
        );
      }
      if (pending !== undefined) {
        const why = pending;
        pending = undefined;
        return why;
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish('timeout'), ms);
        function finish(why: 'notified' | 'timeout' | 'woken' | 'reconnect') {
          clearTimeout(timer);
          settle = undefined;
          resolve(why);
        }
        settle = finish;
      });
    },
    wake() {
      settle?.('woken');
    },
    async close() {
      closed = true;
      settle?.('woken');
      await client?.end().catch(() => undefined);
    },
  };
}
