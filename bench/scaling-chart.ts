/**
 * The scaling chart: rows/s against workers, one line per batch size with the min-max of the repeats,
 * and the ceilings as dashed horizontal lines, one panel per dtype. Drawn by vega-lite and rendered to
 * SVG by vega's headless view (no browser, no canvas).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ScalingPoint {
  dtype: string;
  series: string;
  workers: number;
  median: number;
  min: number;
  max: number;
}

export interface CeilingLine {
  dtype: string;
  series: string;
  rowsPerSecond: number;
}

export async function scalingChart(points: ScalingPoint[], ceilings: CeilingLine[], title: string): Promise<string> {
  const workers = [...new Set(points.map((p) => p.workers))].sort((a, b) => a - b);
  const values = [
    ...points.map((p) => ({ ...p, kind: 'engine', rowsPerSecond: p.median })),
    ...ceilings.map((c) => ({ ...c, kind: 'ceiling' })),
  ];
  const x = {
    field: 'workers',
    type: 'quantitative' as const,
    title: 'workers',
    scale: { type: 'log' as const, base: 2, domain: [workers[0]!, workers[workers.length - 1]!] },
    axis: { values: workers, format: 'd' },
  };
  const color = { field: 'series', type: 'nominal' as const, title: null };
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
          transform: [{ filter: "datum.kind === 'ceiling'" }],
          mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { y: { field: 'rowsPerSecond', type: 'quantitative' }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'engine'" }],
          mark: { type: 'rule', strokeWidth: 1 },
          encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'engine'" }],
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'rowsPerSecond', type: 'quantitative', title: 'rows/s' }, color },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { legend: { labelLimit: 0 } },
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
