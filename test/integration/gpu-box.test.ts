/**
 * --device cuda on a machine whose onnxruntime-node has no CUDA provider libraries (this project's install
 * skips their download): one line that gives the command fetching them and what else the machine needs.
 * The command itself is run up to its download, through a local proxy that refuses it: the install
 * settings must not stop it before it tries, and no test may download CUDA libraries.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { hasCudaProviderLibraries } from '../../dist/workers/cuda-provider.js';
import { runCli } from '../helpers/cli.js';
import { useSentencesTable } from '../helpers/sentences-table.js';

/** Runs a shell command with every HTTPS request sent to a proxy that refuses it; returns what it tried. */
async function runBehindRefusingProxy(command: string): Promise<{ code: number | null; output: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const proxy = http.createServer((_, response) => response.writeHead(403).end());
  proxy.on('connect', (request, socket) => {
    tunnels.push(request.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  const env: NodeJS.ProcessEnv = { ...process.env, GLOBAL_AGENT_HTTPS_PROXY: `http://127.0.0.1:${port}` };
  for (const key of Object.keys(env)) if (key.startsWith('ONNXRUNTIME_NODE_INSTALL') || key.startsWith('npm_')) delete env[key];
  delete env.NODE_OPTIONS;
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output, tunnels }));
    });
  } finally {
    proxy.close();
  }
}

describe.skipIf(hasCudaProviderLibraries())('--device cuda without CUDA provider libraries', () => {
  const table = useSentencesTable(20, 'embed-gpu-box-');

  it('says in one line which command fetches them and what the machine needs; that command goes for them', async () => {
    const result = await runCli([
      'sentences',
      '--device',
      'cuda',
      '--workers',
      '1',
      '--model',
      inject('tinyModelDir'),
      '--database-url',
      table.db.url,
      '--state',
      path.join(table.dir, 'state.sqlite'),
    ]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/CUDA 12 runtime/);
    expect(lines[0]).toMatch(/cuDNN 9/);
    expect(lines[0]).toMatch(/run with --device cpu$/);
    const command = /fetch them with "([^"]+)"/.exec(lines[0]!)?.[1];
    expect(command).toMatch(/^node .*onnxruntime-node.script.install\.js'? --onnxruntime-node-install=cuda12$/);
    expect(await table.db.client.query(`SELECT to_regclass('sentences_embeddings') AS t`)).toMatchObject({ rows: [{ t: null }] });

    const fetch = await runBehindRefusingProxy(command!);
    expect(fetch.code, fetch.output).not.toBe(0);
    expect(fetch.tunnels).toEqual(['api.nuget.org:443']);
    expect(fetch.output).toContain('api.nuget.org');
    expect(hasCudaProviderLibraries()).toBe(false);
  });
});
