/**
 * A native module built for another Node.js version becomes one line with the command that rebuilds it,
 * read from the text Node itself gives (the messages below are Node's, as printed by Node 26 loading a
 * better-sqlite3 built for Node 20, and by Node 20 loading a binary built for Node 26).
 */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../dist/common/errors.js';
import { explainNativeModuleMismatch } from '../../dist/common/native-module.js';

const betterSqliteOnNode26 =
  "The module '/home/ada/embed/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
  'was compiled against a different Node.js version using\n' +
  'NODE_MODULE_VERSION 115. This version of Node.js requires\n' +
  'NODE_MODULE_VERSION 147. Please try re-compiling or re-installing\n' +
  'the module (for instance, using `npm rebuild` or `npm install`).';

const onnxruntimeOnNode20 =
  "The module '/usr/lib/node_modules/embed/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'\n" +
  'was compiled against a different Node.js version using\n' +
  'NODE_MODULE_VERSION 147. This version of Node.js requires\n' +
  'NODE_MODULE_VERSION 115. Please try re-compiling or re-installing\n' +
  'the module (for instance, using `npm rebuild` or `npm install`).';

/** What Node throws: an Error with that message and code ERR_DLOPEN_FAILED. */
const dlopenError = (message: string) => Object.assign(new Error(message), { code: 'ERR_DLOPEN_FAILED' });

describe('explainNativeModuleMismatch', () => {
  it('names better-sqlite3, both versions, and the rebuild command in the folder that holds node_modules', () => {
    const line = explainNativeModuleMismatch(dlopenError(betterSqliteOnNode26));
    expect(line).toBe(
      `better-sqlite3 was built for another Node.js version (NODE_MODULE_VERSION 115; this Node.js ${process.version} needs 147): ` +
        'run "npm rebuild better-sqlite3" in /home/ada/embed, then run the same command again',
    );
  });

  it('names the module from its path, here onnxruntime-node inside a global install of embed', () => {
    const line = explainNativeModuleMismatch(dlopenError(onnxruntimeOnNode20));
    expect(line).toBe(
      `onnxruntime-node was built for another Node.js version (NODE_MODULE_VERSION 147; this Node.js ${process.version} needs 115): ` +
        'run "npm rebuild onnxruntime-node" in /usr/lib/node_modules/embed, then run the same command again',
    );
  });

  it('finds the loader error under the error that wraps it (the state file that could not be opened)', () => {
    const cause = dlopenError(betterSqliteOnNode26);
    const wrapped = new StateError(`state file /tmp/state.sqlite cannot be opened: ${cause.message}`, { cause });
    const line = explainNativeModuleMismatch(wrapped);
    expect(line).toMatch(/^better-sqlite3 was built for another Node\.js version .*"npm rebuild better-sqlite3" in \/home\/ada\/embed,/);
    expect(line).not.toContain('\n');
  });

  it('names a scoped package whole', () => {
    const message = betterSqliteOnNode26.replace('node_modules/better-sqlite3/', 'node_modules/@acme/sqlite/');
    expect(explainNativeModuleMismatch(dlopenError(message))).toContain('run "npm rebuild @acme/sqlite" in /home/ada/embed,');
  });

  it('leaves every other error alone', () => {
    expect(
      explainNativeModuleMismatch(new Error('libonnxruntime.so.1: cannot open shared object file: No such file or directory')),
    ).toBeUndefined();
    expect(
      explainNativeModuleMismatch(new StateError('state file x is corrupt', { cause: new Error('file is not a database') })),
    ).toBeUndefined();
    expect(explainNativeModuleMismatch('NODE_MODULE_VERSION 115')).toBeUndefined();
    expect(explainNativeModuleMismatch(undefined)).toBeUndefined();
  });
});
