/**
 * onnxruntime-node runs CUDA on Linux x64 only, from provider libraries its install step downloads; this
 * project's install skips that step (installs must work without internet beyond the npm registry). The
 * same script fetches them into an existing install when run by hand with the CUDA 12 flag.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** What the machine needs besides the provider libraries. */
export const CUDA_MACHINE_NEEDS = 'an NVIDIA GPU with its driver, the CUDA 12 runtime and cuDNN 9';

const packageDir = (): string => path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));

export const cudaPlatform = (): boolean => process.platform === 'linux' && process.arch === 'x64';

export function hasCudaProviderLibraries(): boolean {
  const binaryDir = path.join(packageDir(), 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(path.join(binaryDir, 'libonnxruntime_providers_cuda.so'));
}

const quoted = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);

/** The one command that fetches the CUDA 12 provider libraries into this install of onnxruntime-node. */
export function cudaFetchCommand(): string {
  return `node ${quoted(path.join(packageDir(), 'script', 'install.js'))} --onnxruntime-node-install=cuda12`;
}
