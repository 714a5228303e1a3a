/** The small pure parts of a watcher: the poll interval, the JSON event lines, the lag window, the port flag. */
import { describe, expect, it } from 'vitest';
import { resolveEmbedConfig } from '../../dist/src/config/config.js';
import { eventLog } from '../../dist/src/observe/event-log.js';
import { LagWindow } from '../../dist/src/watch/lag-window.js';
import { nextPollInterval, pollBounds, pollWaitMs } from '../../dist/src/watch/poll-interval.js';

describe('the poll interval', () => {
  it('drops to the shortest when a look found changes and grows by half up to the idle interval when it did not', () => {
    expect(nextPollInterval(pollBounds.maxMs, true)).toBe(pollBounds.minMs);
    const intervals = [pollBounds.minMs];
    for (let i = 0; i < 12; i++) intervals.push(nextPollInterval(intervals.at(-1)!, false));
    expect(intervals.slice(0, 4)).toEqual([250, 375, 563, 845]);
    expect(intervals.at(-1)).toBe(pollBounds.maxMs);
    expect(intervals.every((ms, i) => i === 0 || ms >= intervals[i - 1]!)).toBe(true);
  });

  it('spaces the starts of looks by the interval, or by twice the time finding work took, whichever is longer', () => {
    // A quick look that found rows: the rest of the interval.
    expect(pollWaitMs(250, 10, 60)).toBe(190);
    // Finding took 400 ms (a large table): looking stays at most half the time.
    expect(pollWaitMs(250, 400, 500)).toBe(300);
    // Its pass embedded for 2 s: the next look at once.
    expect(pollWaitMs(250, 400, 2400)).toBe(0);
    expect(pollWaitMs(5000, 10, 20)).toBe(4980);
  });
});

describe('the event log', () => {
  it('writes one JSON object per line with time, level, event and the fields', () => {
    const lines: string[] = [];
    const log = eventLog('json', { write: (line) => lines.push(line) });
    log.event('batch-failed', 'two rows failed', { rows: 2 });
    log.event('stop', 'stopped');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const [failed, stop] = lines.map((line) => JSON.parse(line));
    expect(failed).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'warn',
      event: 'batch-failed',
      message: 'two rows failed',
      rows: 2,
    });
    expect(stop).toMatchObject({ level: 'info', event: 'stop', message: 'stopped' });
  });

  it('writes human lines by default, and only warnings when quiet', () => {
    const lines: string[] = [];
    eventLog('human', { write: (line) => lines.push(line) }).event('caught-up', 'caught up');
    eventLog('human', { quiet: true, write: (line) => lines.push(line) }).event('start', 'watching');
    eventLog('human', { quiet: true, write: (line) => lines.push(line) }).event('warning', 'careful');
    expect(lines).toEqual(['embed: caught up\n', 'embed: warning: careful\n']);
  });
});

describe('the lag window', () => {
  it('summarises the lags it holds, and says null when it holds none', () => {
    const window = new LagWindow();
    expect(window.summary()).toEqual({ lagP50: null, lagP95: null, lagMax: null });
    for (let i = 1; i <= 100; i++) window.add(i / 10);
    expect(window.summary()).toEqual({ lagP50: 5.1, lagP95: 9.6, lagMax: 10 });
  });
});

describe('--metrics-port and --log-format', () => {
  it('take a port from 0 to 65535 and human or json, each refused in one line otherwise', () => {
    expect(resolveEmbedConfig({ table: 't', metricsPort: '9464' }, {}).metricsPort).toBe(9464);
    expect(resolveEmbedConfig({ table: 't' }, { EMBED_METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(() => resolveEmbedConfig({ table: 't', metricsPort: '70000' }, {})).toThrow(
      '--metrics-port must be a port number from 0 to 65535, got "70000"',
    );
    expect(() => resolveEmbedConfig({ table: 't', logFormat: 'xml' }, {})).toThrow('--log-format must be one of human, json, got "xml"');
  });

  it('--metrics-linger takes whole seconds and needs --metrics-port', () => {
    expect(resolveEmbedConfig({ table: 't' }, {}).metricsLingerSeconds).toBe(0);
    expect(resolveEmbedConfig({ table: 't', metricsPort: '0', metricsLinger: '60' }, {}).metricsLingerSeconds).toBe(60);
    expect(() => resolveEmbedConfig({ table: 't', metricsLinger: '60' }, {})).toThrow(
      '--metrics-linger keeps the metrics of --metrics-port served after the run: pass --metrics-port too',
    );
    expect(() => resolveEmbedConfig({ table: 't', metricsPort: '0', metricsLinger: '0' }, {})).toThrow(
      '--metrics-linger must be a whole number of seconds of at least 1, got "0"',
    );
  });
});
