/**
 * The watcher's resident memory over a long run: RSS once caught up and every 10 minutes after, and the
 * slope of a least-squares line through the samples (MB per 10 minutes), for the whole run and for its
 * second half. A leak keeps its slope to the end; a warm-up (allocator arenas, heaps finding their size)
 * shows a second-half slope near zero.
 */
import { fixed } from './text-table.js';
import type { TimePoint } from './watch-chart.js';

export interface RssFigures {
  /** RSS at the writer's start (the watcher has caught up) and at every whole 10 minutes after. */
  marks: { minute: number; mb: number }[];
  start: number;
  max: number;
  end: number;
  /** MB per 10 minutes over all samples, and over the samples of the second half of the run. */
  slope: number | null;
  secondHalfSlope: number | null;
}

const markEverySeconds = 600;

export function rssFigures(series: readonly TimePoint[]): RssFigures {
  const values = series.map((p) => p.value);
  const lastT = series.at(-1)?.t ?? 0;
  const marks: RssFigures['marks'] = [];
  for (let at = 0; at <= lastT; at += markEverySeconds) {
    // The first sample at or after the mark: the series has one a second.
    const point = series.find((p) => p.t >= at);
    if (point) marks.push({ minute: at / 60, mb: point.value });
  }
  return {
    marks,
    start: values[0] ?? 0,
    max: values.length === 0 ? 0 : Math.max(...values),
    end: values.at(-1) ?? 0,
    slope: slopePerTenMinutes(series),
    secondHalfSlope: slopePerTenMinutes(series.filter((p) => p.t >= lastT / 2)),
  };
}

/** Least-squares slope of value over t, scaled to 10 minutes; null with fewer than a minute of samples. */
function slopePerTenMinutes(points: readonly TimePoint[]): number | null {
  if (points.length < 2 || points.at(-1)!.t - points[0]!.t < 60) return null;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / points.length;
  const meanV = points.reduce((sum, p) => sum + p.value, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.t - meanT) * (p.value - meanV);
    variance += (p.t - meanT) ** 2;
  }
  return (covariance / variance) * markEverySeconds;
}

export function formatRss(mode: string, rss: RssFigures): string {
  const marks = rss.marks.map((m) => `${m.minute === 0 ? 'caught up' : `${m.minute} min`} ${fixed(m.mb, 0)}`).join(', ');
  const slope = (v: number | null) => (v === null ? '-' : `${v >= 0 ? '+' : ''}${fixed(v, 1)}`);
  return (
    `${mode} watcher RSS MB: ${marks}; max ${fixed(rss.max, 0)}, end ${fixed(rss.end, 0)}; ` +
    `slope ${slope(rss.slope)} MB/10 min (second half ${slope(rss.secondHalfSlope)})`
  );
}
