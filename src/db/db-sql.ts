/** The connection's own statements. */
import type { Statement } from './statement.js';

/** The cheapest question a server answers: the breaker's probe. */
export function pingSql(): Statement {
  return { text: 'SELECT 1' };
}

/** A setting of this session, or with `scope` 'transaction' of the open transaction only. */
export function setConfigSql(name: string, value: string, scope: 'session' | 'transaction' = 'session'): Statement {
  return { text: 'SELECT set_config($1, $2, $3)', values: [name, value, scope === 'transaction'] };
}

/**
 * Whether the server is PGlite (`pglite`): it names itself in version(), and older builds that do not
 * still say they were compiled for WebAssembly.
 */
export function pgliteServerSql(): Statement {
  return { text: `SELECT version() LIKE '%(PGlite %' OR version() LIKE '%emscripten%' AS pglite` };
}
