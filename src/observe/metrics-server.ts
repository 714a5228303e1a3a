/**
 * `--metrics-port PORT`: Prometheus text format at /metrics and liveness at /healthz (200 while the
 * process runs its loop, with the database's state in the body). Bound to all interfaces, as exporters are.
 * A batch job's last counts come after the last scrape: with `--metrics-linger` the server stays up
 * after the run, saying `finished` at /healthz, until one scrape has read them or the time is up.
 */
import http from 'node:http';
import { UsageError } from '../../common/errors.js';
import type { EngineMetrics } from './engine-metrics.js';

export interface MetricsServer {
  port: number;
  /** Closes, after serving up to `lingerSeconds` more until one scrape of /metrics has read the final values. */
  close(lingerSeconds?: number): Promise<void>;
}

export async function serveMetrics(
  metrics: EngineMetrics,
  port: number,
  health: () => { ok: boolean; detail: string },
): Promise<MetricsServer> {
  let finished = false;
  let lastScrape: (() => void) | undefined;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (url.pathname === '/metrics') {
      const final = finished;
      metrics.text().then(
        (body) => response.writeHead(200, { 'Content-Type': metrics.contentType }).end(body, () => final && lastScrape?.()),
        (error: unknown) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String(error)}\n`),
      );
    } else if (url.pathname === '/healthz') {
      const { ok, detail } = finished ? { ok: true, detail: 'finished' } : health();
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(`${detail}\n`);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  // A scrape left open must not keep the process alive at its end.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`--metrics-port ${port} is in use by another process; pick a free port`)
          : new UsageError(`cannot serve metrics on port ${port}: ${error.message}`),
      ),
    );
    server.listen(port, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    async close(lingerSeconds = 0) {
      finished = true;
      if (lingerSeconds > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, lingerSeconds * 1000);
          lastScrape = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
