/**
 * `--metrics-port PORT`: Prometheus text format at /metrics and liveness at /healthz (200 while the
 * process runs its loop, with the database's state in the body). Bound to all interfaces, as exporters are.
 */
import http from 'node:http';
import { UsageError } from '../../common/errors.js';
import type { EngineMetrics } from './engine-metrics.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function serveMetrics(metrics: EngineMetrics, port: number, health: () => { ok: boolean; detail: string }): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (url.pathname === '/metrics') {
      metrics.text().then(
        (body) => response.writeHead(200, { 'Content-Type': metrics.contentType }).end(body),
        (error: unknown) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String(error)}\n`),
      );
    } else if (url.pathname === '/healthz') {
      const { ok, detail } = health();
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
