/**
 * Chaos: three hosts, each in a network namespace of its own, reach a PostgreSQL of the test's own over
 * their own veth link. One host's link is cut mid-run (packets vanish; nothing tells either side), then
 * restored. The other two take its ranges over once its lease runs out; when its link comes back it
 * finishes what it had in flight. Nothing may be lost: the target equals a clean single-host run. The
 * test is bounded: every host is killed if it has not ended within the time a run can take.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { maxAbsDifference, storedEmbeddings } from '../helpers/embeddings.js';
import { createTextTable } from '../helpers/fixtures.js';
import { hostRows, queueFacts, startHost, type Host } from '../helpers/hosts.js';
import { canMakeNamespaces, makeNetnsHosts, type NetnsHosts } from '../helpers/netns.js';
import { embeddableRows, sleep } from '../helpers/progress.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

const rows = 8_000;
const leaseSeconds = 3;
/** How long the link stays down: several leases, so the others surely take the ranges over meanwhile. */
const cutSeconds = 4 * leaseSeconds;
const runBoundMs = 150_000;

const usable = canMakeNamespaces();
if (!usable) console.warn('distributed-network-cut: skipped, it needs root and iproute2 (ip netns) to make network namespaces');

describe.skipIf(!usable)('a host whose network link is cut mid-run', () => {
  const modelDir = inject('tinyModelDir');
  const password = 'netns-secret';
  let network: NetnsHosts;
  let server: ThrowawayServer;
  let admin: pg.Client;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'embed-netns-'));
  chmodSync(dir, 0o755);

  beforeAll(async () => {
    network = makeNetnsHosts(3);
    server = await startThrowawayServer(password, {
      alsoListenOn: network.hosts.map((h) => h.serverAddress),
      clientsFrom: network.hosts.map((h) => h.hostAddress),
    });
    admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    await createTextTable(admin, 'sentences', rows);
  });
  afterAll(async () => {
    await admin?.end();
    await server?.destroy();
    network?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing: the others take its ranges over, and the target equals a clean run', async () => {
    // Ranges of a few small tasks: many more ranges than the hosts hold at once, so the victim always holds some.
    const common = ['sentences', '100', '--workers', '1', '--model', modelDir, '--sort-window', '200'];
    const clean = await runCli([
      ...common,
      '--database-url',
      server.url(),
      '--target',
      'clean_embeddings',
      '--state',
      path.join(dir, 'clean.sqlite'),
      '--quiet',
    ]);
    expect(clean.code, clean.stderr).toBe(0);

    const target = 'cut_embeddings';
    const hosts: Host[] = network.hosts.map((h, i) => {
      const url = `postgres://postgres:${password}@${h.serverAddress}:${server.port}/postgres`;
      return startHost(
        dir,
        `host-${i}`,
        [...common, '--database-url', url, '--distributed', '--lease', String(leaseSeconds), '--target', target, '--json'],
        {
          namespace: h.namespace,
        },
      );
    });
    const ended: (CliResult | undefined)[] = hosts.map(() => undefined);
    hosts.forEach((h, i) => {
      void h.done.then((r) => {
        ended[i] = r;
      });
    });
    const bound = setTimeout(() => {
      for (const h of hosts) h.child.kill('SIGKILL');
    }, runBoundMs);
    try {
      // Cut host 0 once it has completed a range: it holds the next ones, with tasks in flight.
      const victim = hosts[0]!;
      for (;;) {
        const mine = (await hostRows(admin, `"public"."${target}"`)).find((h) => h.host.endsWith(`/${victim.child.pid}`));
        if (mine && mine.ranges >= 1) break;
        if (ended[0] !== undefined) throw new Error(`host 0 ended before its link was cut: ${ended[0].stderr}`);
        await sleep(20);
      }
      network.hosts[0]!.cut();
      const cutAt = Date.now();
      const before = await queueFacts(admin, `"public"."${target}"`);
      expect(before.states.completed ?? 0).toBeLessThan(before.jobs);
      await sleep(cutSeconds * 1000);
      network.hosts[0]!.restore();
      console.log(`link of host 0 down for ${((Date.now() - cutAt) / 1000).toFixed(1)} s`);

      const [cutHost, ...others] = await Promise.all(hosts.map((h) => h.done));
      for (const result of others) expect(result!.code, result!.stderr).toBe(0);
      // The cut host was told nothing; with its link back it finishes and ends like the others.
      expect(cutHost!.code, cutHost!.stderr).toBe(0);
    } finally {
      clearTimeout(bound);
    }

    const facts = await queueFacts(admin, `"public"."${target}"`);
    expect(facts.states).toEqual({ completed: facts.jobs });
    expect(facts.retried).toBeGreaterThan(0);
    const want = await storedEmbeddings(admin, 'clean_embeddings');
    const got = await storedEmbeddings(admin, target);
    expect(want.size).toBe(embeddableRows(rows));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    let worst = 0;
    for (const [id, vector] of want) worst = Math.max(worst, maxAbsDifference(vector, got.get(id)!));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
