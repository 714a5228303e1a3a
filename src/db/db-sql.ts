/** The connection's own statements. */
import type { Statement } from './statement.js';

/** The cheapest question a server answers: the breaker's probe. */
export function pingSql(): Statement {
  return { text: 'SELECT 1' };
}
