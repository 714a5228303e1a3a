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
