/**
 * The events of a run or a watch (start, caught up, batch failed, reconnect, stop, ...), on stderr: one
 * human line each by default, or with `--log-format json` one JSON object per line for log shippers
 * (`time`, `level`, `event`, `message`, and the event's own fields).
 */
export type LogFormat = 'human' | 'json';

export type EventName =
  | 'start'
  | 'caught-up'
  | 'batch-failed'
  | 'database-lost'
  | 'reconnected'
  | 'trigger'
  | 'stop'
  | 'note'
  | 'warning'
  | 'index';

export interface EventLog {
  readonly format: LogFormat;
  event(name: EventName, message: string, fields?: Record<string, unknown>): void;
}

export function eventLog(format: LogFormat, options: { quiet?: boolean; write?: (line: string) => void } = {}): EventLog {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return {
    format,
    event(name, message, fields = {}) {
      if (format === 'json') {
        const level = name === 'batch-failed' || name === 'database-lost' || name === 'warning' ? 'warn' : 'info';
        write(`${JSON.stringify({ time: new Date().toISOString(), level, event: name, message, ...fields })}\n`);
        return;
      }
      if (options.quiet && name !== 'warning') return;
      const prefix = name === 'warning' ? 'embed: warning: ' : name === 'note' ? 'embed: note: ' : 'embed: ';
      write(`${prefix}${message}\n`);
    },
  };
}
