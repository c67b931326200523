/**
 * Chart specs the dashboard and the reports share beyond src/core/chart.ts: an allocation across locations beside
 * the observed need, and a per-interval rate with its confidence band. Pure data (Vega-Lite), browser-safe.
 */
import type { ChartSpec } from '../core/chart.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** One location of {@link allocationChart}. */
export interface AllocationBar {
  /** Location label (code or name). */
  readonly location: string;
  /** Amount allocated. */
  readonly allocation: number;
  /** Observed need, or null when unknown. */
  readonly observation: number | null;
}

/**
 * Allocation per location (bars, sorted by allocation) with the observed need as a tick and the shortfall
 * (need above the allocation) as a red segment.
 *
 * @param bars - one entry per location
 * @param title - chart title
 * @returns a Vega-Lite spec with inline data
 */
export function allocationChart(bars: readonly AllocationBar[], title: string): ChartSpec {
  const values = bars.map((b) => ({
    location: b.location,
    allocation: b.allocation,
    observation: b.observation,
    shortfall: b.observation === null ? 0 : Math.max(0, b.observation - b.allocation),
  }));
  const x = {
    field: 'location',
    type: 'nominal',
    title: null,
    sort: { field: 'allocation', op: 'max', order: 'descending' },
    axis: { labelAngle: -60, labelLimit: 110 },
  };
  return {
    $schema: SCHEMA,
    title,
    width: 900,
    height: 300,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#5b8fd6' },
        encoding: {
          x,
          y: { field: 'allocation', type: 'quantitative', title: 'amount' },
          tooltip: [
            { field: 'location', type: 'nominal' },
            { field: 'allocation', type: 'quantitative', format: ',.1f' },
            { field: 'observation', type: 'quantitative', format: ',.0f', title: 'observed need' },
            { field: 'shortfall', type: 'quantitative', format: ',.1f' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.shortfall > 0' }],
        mark: { type: 'rule', color: '#c0392b', strokeWidth: 3 },
        encoding: { x, y: { field: 'allocation', type: 'quantitative' }, y2: { field: 'observation' } },
      },
      {
        transform: [{ filter: 'datum.observation != null' }],
        mark: { type: 'tick', color: '#1b1f24', thickness: 2 },
        encoding: { x, y: { field: 'observation', type: 'quantitative' } },
      },
    ],
  };
}

/** One interval of {@link rateChart}. */
export interface RatePoint {
  /** Start of the interval (ISO time). */
  readonly t: string;
  /** The rate (for example the mean reward), or null when the interval has no data. */
  readonly rate: number | null;
  /** Lower and upper ends of its interval. */
  readonly lower: number | null;
  readonly upper: number | null;
  /** Observations in the interval. */
  readonly n: number;
}

/**
 * A rate over time with its 95 % interval as a band (for example the reward rate of a live agent per minute).
 *
 * @param points - one entry per interval, in time order
 * @param opts - title and y-axis label
 * @returns a Vega-Lite spec with inline data
 */
export function rateChart(
  points: readonly RatePoint[],
  opts: { readonly title: string; readonly yLabel: string },
): ChartSpec {
  const x = { field: 't', type: 'temporal', title: null, axis: { format: '%H:%M:%S', labelOverlap: true } };
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: 480,
    height: 240,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        transform: [{ filter: 'datum.lower != null && datum.upper != null' }],
        mark: { type: 'area', opacity: 0.2, color: '#2457a6' },
        encoding: {
          x,
          y: { field: 'lower', type: 'quantitative', title: opts.yLabel },
          y2: { field: 'upper' },
        },
      },
      {
        transform: [{ filter: 'datum.rate != null' }],
        mark: { type: 'line', point: true, color: '#2457a6' },
        encoding: {
          x,
          y: { field: 'rate', type: 'quantitative', title: opts.yLabel },
          tooltip: [
            { field: 't', type: 'temporal', timeUnit: 'hoursminutesseconds', title: 'from' },
            { field: 'rate', type: 'quantitative', format: '.3f' },
            { field: 'lower', type: 'quantitative', format: '.3f' },
            { field: 'upper', type: 'quantitative', format: '.3f' },
            { field: 'n', type: 'quantitative', title: 'rewards' },
          ],
        },
      },
    ],
  };
}
