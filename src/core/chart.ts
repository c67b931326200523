/**
 * Declarative chart specs (Vega-Lite JSON): one spec, two renderers. The CLI renders a spec to SVG
 * (`src/cli/svg.ts`, through vega); a browser renders the same spec interactively with vega-embed. Building a spec
 * is pure data, so domains may do it; rendering lives outside the isomorphic core.
 */

/** A Vega-Lite specification as plain JSON data. */
export type ChartSpec = Readonly<Record<string, unknown>>;

/** One named line of a line chart. */
export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Optional band around y (for example mean ± std), drawn as a translucent area. */
  readonly lower?: ArrayLike<number>;
  readonly upper?: ArrayLike<number>;
  /** Draw with a dashed stroke (reference lines such as the 45-degree line). */
  readonly dashed?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  readonly xScale?: 'linear' | 'log';
  readonly yScale?: 'linear' | 'log';
  /** Include zero in the y domain (default false). */
  readonly yZero?: boolean;
  /** Draw a point at each data point (default false). */
  readonly points?: boolean;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * A multi-series line chart with optional uncertainty bands and dashed reference lines.
 *
 * @returns a Vega-Lite spec with inline data (non-finite points become gaps).
 */
export function lineChart(opts: LineChartOptions): ChartSpec {
  const rows: Record<string, unknown>[] = [];
  let hasBand = false;
  for (const s of opts.series) {
    for (let i = 0; i < s.x.length; i++) {
      const row: Record<string, unknown> = {
        series: s.name,
        x: finiteOrNull(s.x[i]),
        y: finiteOrNull(s.y[i]),
        dashed: s.dashed === true,
      };
      if (s.lower !== undefined && s.upper !== undefined) {
        row['lo'] = finiteOrNull(s.lower[i]);
        row['hi'] = finiteOrNull(s.upper[i]);
        hasBand = true;
      }
      rows.push(row);
    }
  }
  const x = {
    field: 'x',
    type: 'quantitative',
    title: opts.xLabel,
    scale: { type: opts.xScale ?? 'linear' },
  };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    sort: opts.series.map((s) => s.name),
    legend: { labelLimit: 320 },
  };
  const layers: Record<string, unknown>[] = [];
  if (hasBand) {
    layers.push({
      mark: { type: 'area', opacity: 0.15 },
      transform: [{ filter: 'datum.lo != null && datum.hi != null' }],
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    });
  }
  layers.push({
    mark: { type: 'line', point: opts.points === true, strokeWidth: 1.6 },
    encoding: {
      x,
      y: {
        field: 'y',
        type: 'quantitative',
        title: opts.yLabel,
        scale: { type: opts.yScale ?? 'linear', zero: opts.yZero === true },
      },
      color,
      strokeDash: {
        field: 'dashed',
        type: 'nominal',
        legend: null,
        scale: {
          domain: [false, true],
          range: [
            [1, 0],
            [5, 4],
          ],
        },
      },
    },
  });
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: opts.width ?? 480,
    height: opts.height ?? 300,
    data: { values: rows },
    layer: layers,
  };
}

/** One bar of a grouped bar chart. */
export interface Bar {
  readonly group: string;
  readonly label: string;
  readonly value: number;
  readonly lower?: number;
  readonly upper?: number;
}

/** A grouped bar chart (bars `label` within `group`), with optional error bars. */
export function barChart(opts: {
  readonly title: string;
  readonly yLabel: string;
  readonly bars: readonly Bar[];
  readonly width?: number;
  readonly height?: number;
}): ChartSpec {
  const values = opts.bars.map((b) => ({
    group: b.group,
    label: b.label,
    value: finiteOrNull(b.value),
    lo: finiteOrNull(b.lower),
    hi: finiteOrNull(b.upper),
  }));
  const hasErr = opts.bars.some((b) => b.lower !== undefined && b.upper !== undefined);
  const enc = {
    x: { field: 'label', type: 'nominal', title: null, sort: null },
    xOffset: undefined,
  };
  const layers: Record<string, unknown>[] = [
    {
      mark: 'bar',
      encoding: {
        x: enc.x,
        y: { field: 'value', type: 'quantitative', title: opts.yLabel },
        color: { field: 'label', legend: null },
      },
    },
  ];
  if (hasErr) {
    layers.push({
      mark: 'rule',
      encoding: { x: enc.x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
  }
  return {
    $schema: SCHEMA,
    title: opts.title,
    data: { values },
    facet: { column: { field: 'group', type: 'nominal', title: null } },
    spec: { width: opts.width ?? 160, height: opts.height ?? 240, layer: layers },
  };
}
