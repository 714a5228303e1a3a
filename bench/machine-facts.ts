/**
 * What a reader needs to compare a result with another machine's, and how busy this one was: the
 * machine is shared, so the load average before and after a measurement is part of the result.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  platform: string;
  node: string;
  onnxruntimeNode: string;
  /** 1-minute load average when the facts were taken. */
  loadAverage: number;
}

export function machineFacts(): MachineFacts {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    loadAverage: loadAverage(),
  };
}

export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'node_modules', name, 'package.json'), 'utf8'));
    return String(manifest.version);
  } catch {
    return 'unknown';
  }
}

export function formatMachineFacts(facts: MachineFacts): string {
  return (
    `${facts.cpuModel}, ${facts.cores} cores, ${facts.memoryGb} GB, ${facts.platform}, ` +
    `Node ${facts.node}, onnxruntime-node ${facts.onnxruntimeNode}, load average ${facts.loadAverage}`
  );
}
