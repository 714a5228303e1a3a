/**
 * Durations as the summary, progress line and status print them: rounded before they are split into
 * units, so a value just under a unit's end carries into the next unit instead of printing "60".
 */
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../dist/src/pass/progress.js';

describe('formatDuration', () => {
  it('prints tenths of a second below a minute', () => {
    expect(formatDuration(0)).toBe('0.0s');
    expect(formatDuration(59.6)).toBe('59.6s');
    expect(formatDuration(59.94)).toBe('59.9s');
  });

  it('carries a rounded-up 60 s into the minutes', () => {
    expect(formatDuration(59.96)).toBe('1m0s');
    expect(formatDuration(60)).toBe('1m0s');
    expect(formatDuration(299.4)).toBe('4m59s');
    expect(formatDuration(299.6)).toBe('5m0s');
  });

  it('carries a rounded-up 60 m into the hours', () => {
    expect(formatDuration(3599.4)).toBe('59m59s');
    expect(formatDuration(3599.6)).toBe('1h0m');
    expect(formatDuration(3600)).toBe('1h0m');
  });

  it('rounds hours to the minute, carrying 60 m into the next hour', () => {
    expect(formatDuration(2 * 3600 + 5 * 60 + 29)).toBe('2h5m');
    expect(formatDuration(2 * 3600 + 5 * 60 + 31)).toBe('2h6m');
    expect(formatDuration(2 * 3600 - 20)).toBe('2h0m');
    expect(formatDuration(100 * 3600)).toBe('100h0m');
  });
});
