/** Checks of one flag's or environment variable's text, each with a one-line message saying what to pass. */
import { UsageError } from '../../common/errors.js';

export const aWeek = 7 * 24 * 3600;

export function positiveInteger(value: string, name: string, max: number, expected = 'a whole number'): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new UsageError(`${name} must be ${expected} of at least 1, got ${JSON.stringify(value)}`);
  }
  const number = Number(trimmed);
  if (number > max) throw new UsageError(`${name} must be at most ${max}, got ${value}`);
  return number;
}

/** Whole seconds, 0 meaning no limit of ours. */
export function seconds(value: string, name: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new UsageError(`${name} must be a whole number of seconds (0 for no limit), got ${JSON.stringify(value)}`);
  }
  const number = Number(trimmed);
  if (number > aWeek) throw new UsageError(`${name} must be at most ${aWeek} seconds, got ${value}`);
  return number;
}

export function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** A path inside the model folder, '/'-separated as on the hub, to an .onnx file. */
export function parseOnnxFile(value: string, name: string): string {
  const parts = value.split(/[\\/]/);
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value) || parts.includes('..') || !value.endsWith('.onnx')) {
    throw new UsageError(
      `${name} takes an .onnx file's path inside the model folder, such as onnx/model_O4.onnx; got ${JSON.stringify(value)}`,
    );
  }
  return parts.filter((part) => part !== '' && part !== '.').join('/');
}

export function nonEmpty(value: string, name: string): string {
  if (value.trim() === '') throw new UsageError(`${name} must not be empty`);
  return value;
}

/** A TCP port to listen on; 0 lets the system pick a free one. */
export function port(value: string, name: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > 65535) {
    throw new UsageError(`${name} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return Number(trimmed);
}
