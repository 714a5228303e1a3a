/**
 * The watch bench's chart: backlog over time, each row's freshness lag against when it was written, and
 * the watcher's resident memory, one colour per mode (polling, trigger). vega-lite, rendered to SVG by
 * vega's headless view.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface TimePoint {
  mode: string;
  /** Seconds since the writer started. */
  t: number;
  value: number;
}

export async function watchChart(series: { backlog: TimePoint[]; lag: TimePoint[]; rss: TimePoint[] }, title: string): Promise<string> {
  const panel = (values: TimePoint[], y: string, mark: 'line' | 'point') => ({
    width: 720,
    height: 180,
    data: { values },
    mark: mark === 'point' ? { type: 'point' as const, size: 6, opacity: 0.35, filled: true } : { type: 'line' as const, strokeWidth: 1.2 },
    encoding: {
      x: { field: 't', type: 'quantitative' as const, title: 'seconds since the writer started' },
      y: { field: 'value', type: 'quantitative' as const, title: y },
      color: { field: 'mode', type: 'nominal' as const, title: null },
    },
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    vconcat: [
      panel(series.backlog, 'backlog (rows without a vector)', 'line'),
      panel(series.lag, 'freshness lag of the row (s)', 'point'),
      panel(series.rss, 'watcher RSS (MB)', 'line'),
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
