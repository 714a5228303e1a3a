/**
 * PGlite served over the PostgreSQL wire protocol on a free port of 127.0.0.1: a real pgvector for the
 * tests (the machine's PostgreSQL has none) and a server where one backend serves every connection.
 * It has no COPY, so runs against it use --write-method insert.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { freePort } from './free-port.js';

export interface PgliteServer {
  /** The database itself, queried in-process (not through the socket). */
  readonly pglite: PGlite;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export interface PgliteServerOptions {
  /** Loads and creates the pgvector extension. */
  pgvector?: boolean;
  /** A `sentences (id bigint PRIMARY KEY, text text)` table holding these texts, ids from 1. */
  sentences?: readonly (string | null)[];
  maxConnections?: number;
}

export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const pglite = await PGlite.create(options.pgvector ? { extensions: { vector } } : {});
  let server: PGLiteSocketServer | undefined;
  const stop = async () => {
    await server?.stop();
    await pglite.close();
  };
  try {
    if (options.pgvector) await pglite.exec('CREATE EXTENSION vector');
    if (options.sentences) {
      await pglite.exec('CREATE TABLE sentences (id bigint PRIMARY KEY, text text)');
      await pglite.query('INSERT INTO sentences SELECT i, t FROM unnest($1::int[], $2::text[]) AS u(i, t)', [
        options.sentences.map((_, i) => i + 1),
        options.sentences,
      ]);
    }
    const port = await freePort();
    server = new PGLiteSocketServer({ db: pglite, port, host: '127.0.0.1', maxConnections: options.maxConnections ?? 4 });
    await server.start();
    return { pglite, port, url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
