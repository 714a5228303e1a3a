/**
 * Hosts with a network of their own, on this machine: one network namespace per host, joined to the
 * root namespace by a veth pair. Inside, the host has its own address; the root side of its pair has
 * the address a server listens on for it. Cutting a host's link takes the root side down, as pulling a
 * cable would: packets vanish, nobody is told. Only addresses made here are used; destroy() removes
 * the namespaces, and with them both ends of every pair.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface NetnsHost {
  namespace: string;
  /** The root side's address: where a server in the root namespace is reached from this host. */
  serverAddress: string;
  /** The host's own address, inside its namespace. */
  hostAddress: string;
  cut(): void;
  restore(): void;
}

export interface NetnsHosts {
  hosts: NetnsHost[];
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Root, with iproute2: what these hosts need. */
export function canMakeNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    ip('netns', 'list');
    return true;
  } catch {
    return false;
  }
}

export function makeNetnsHosts(count: number): NetnsHosts {
  const tag = randomBytes(3).toString('hex');
  // A /16 of 10.0.0.0/8 picked at random, and checked unused, so that parallel runs do not collide.
  const used = execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' });
  let octet = 0;
  do octet = 100 + Math.floor(Math.random() * 150);
  while (used.includes(` 10.${octet}.`));
  const hosts: NetnsHost[] = [];
  const made: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const namespace = `embed-${tag}-${i}`;
      const outside = `eo${tag}${i}`;
      const inside = `ei${tag}${i}`;
      const serverAddress = `10.${octet}.${i + 1}.1`;
      const hostAddress = `10.${octet}.${i + 1}.2`;
      ip('netns', 'add', namespace);
      made.push(namespace);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', namespace);
      ip('addr', 'add', `${serverAddress}/24`, 'dev', outside);
      ip('link', 'set', outside, 'up');
      ip('-n', namespace, 'addr', 'add', `${hostAddress}/24`, 'dev', inside);
      ip('-n', namespace, 'link', 'set', inside, 'up');
      ip('-n', namespace, 'link', 'set', 'lo', 'up');
      hosts.push({
        namespace,
        serverAddress,
        hostAddress,
        cut: () => ip('link', 'set', outside, 'down'),
        restore: () => ip('link', 'set', outside, 'up'),
      });
    }
  } catch (error) {
    for (const namespace of made) removeNamespace(namespace);
    throw error;
  }
  return {
    hosts,
    destroy() {
      for (const namespace of made) removeNamespace(namespace);
    },
  };
}

function removeNamespace(namespace: string): void {
  try {
    // Deleting the namespace deletes the veth end inside it, which deletes its peer outside.
    ip('netns', 'delete', namespace);
  } catch {
    // Already gone.
  }
}
