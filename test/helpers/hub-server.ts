/**
 * A local stand-in for the model hub: serves model folders under the hub's URL layout,
 * /{org}/{name}/resolve/{revision}/{file}, over real HTTP, and records every request. It can be told to
 * die halfway through a file (send half of it, then close every connection and stop listening), as a
 * server or a network does.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

export interface HubServer {
  /** The value for HF_ENDPOINT. */
  readonly url: string;
  /** Every request as "METHOD /path", in order. */
  readonly requests: string[];
  /** Resolves once the server has died on the file it was told to (see dieHalfwayThrough). */
  readonly died: Promise<void>;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Repository id (`Org/name`) to the folder holding its files. */
  models: Record<string, string>;
  /** A file (path inside the repository, e.g. `onnx/model.onnx`) whose body stops halfway, killing the server. */
  dieHalfwayThrough?: string;
}

const LAYOUT = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/;

export async function startHubServer(options: HubOptions): Promise<HubServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let markDied: () => void = () => undefined;
  const died = new Promise<void>((resolve) => (markDied = resolve));

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://hub');
    requests.push(`${request.method} ${url.pathname}`);
    const match = LAYOUT.exec(decodeURIComponent(url.pathname));
    const folder = match ? options.models[match[1]!] : undefined;
    const file = folder && match ? path.join(folder, match[3]!) : undefined;
    if (file === undefined || !file.startsWith(folder + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    const size = statSync(file).size;
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    if (match![3] === options.dieHalfwayThrough) {
      createReadStream(file, { start: 0, end: Math.floor(size / 2) - 1 })
        .on('end', () => {
          // The body is cut short: the client has the headers' full length promised and half of it.
          server.close();
          for (const socket of sockets) socket.destroy();
          markDied();
        })
        .pipe(response, { end: false });
      return;
    }
    createReadStream(file).pipe(response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    died,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        if (!server.listening) resolve();
      }),
  };
}
