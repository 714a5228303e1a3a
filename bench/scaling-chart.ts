/**
 * The scaling chart: rows/s against workers, one solid line per batch size with the min-max of the
 * repeats, and the ceilings and the naive loop as horizontal lines (a batch size's plain ceiling in that
 * batch size's colour), one panel per dtype. Drawn by vega-lite and rendered to SVG by vega's headless
 * view (no browser, no canvas).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The engine at one worker count. */
export interface ScalingPoint {
  dtype: string;
  /** Colour: "batch 100". */
  group: string;
  workers: number;
  median: number;
  min: number;
  max: number;
}

/** A reference that does not depend on workers. */
export interface CeilingLine {
  dtype: string;
  /** Colour: "batch 100" for that batch size's plain ceiling, else its own name. */
  group: string;
  line: 'plain ceiling' | 'sorted ceiling' | 'naive loop';
  rowsPerSecond: number;
}

const dashes: Record<string, number[]> = {
  engine: [1, 0],
  'plain ceiling': [6, 4],
  'sorted ceiling': [12, 3],
  'naive loop': [2, 3],
};

export async function scalingChart(points: ScalingPoint[], ceilings: CeilingLine[], title: string): Promise<string> {
  const workers = [...new Set(points.map((p) => p.workers))].sort((a, b) => a - b);
  const values = [...points.map((p) => ({ ...p, line: 'engine', rowsPerSecond: p.median })), ...ceilings];
  const x = {
    field: 'workers',
    type: 'quantitative' as const,
    title: 'workers',
    scale: { type: 'log' as const, base: 2, domain: [workers[0]!, workers[workers.length - 1]!] },
    axis: { values: workers, format: 'd' },
  };
  // Legend in the order given (batch sizes as the caller listed them), not alphabetical ("batch 100" < "batch 32").
  const groups = [...new Set([...points.map((p) => p.group), ...ceilings.map((c) => c.group)])];
  const color = { field: 'group', type: 'nominal' as const, title: null, scale: { domain: groups } };
  const strokeDash = {
    field: 'line',
    type: 'nominal' as const,
    title: null,
    scale: { domain: Object.keys(dashes), range: Object.values(dashes) },
    legend: { symbolStrokeColor: '#444' },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { column: { field: 'dtype', type: 'nominal', title: null } },
    spec: {
      width: 360,
      height: 260,
      layer: [
        {
          transform: [{ filter: "datum.line !== 'engine'" }],
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: { y: { field: 'rowsPerSecond', type: 'quantitative' }, color, strokeDash },
        },
        {
          transform: [{ filter: "datum.line === 'engine'" }],
          mark: { type: 'rule', strokeWidth: 1 },
          encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color },
        },
        {
          transform: [{ filter: "datum.line === 'engine'" }],
          mark: { type: 'line' },
          encoding: { x, y: { field: 'rowsPerSecond', type: 'quantitative', title: 'rows/s' }, color, strokeDash },
        },
        {
          // Points in a layer of their own: on the line mark they would turn the legends into dots.
          transform: [{ filter: "datum.line === 'engine'" }],
          mark: { type: 'point', filled: true },
          encoding: { x, y: { field: 'rowsPerSecond', type: 'quantitative' }, color },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { legend: { labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400 } },
  };
  // Warnings about the compiler's own optimisation passes and label placement say nothing about the
  // data; they would only clutter the terminal.
  const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
