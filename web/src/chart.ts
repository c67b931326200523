/**
 * Renders a Vega-Lite spec (the same specs the CLI renders to SVG: src/core/chart.ts, src/dp/charts.ts,
 * src/reports) into a container with vega-embed. vega is loaded on first use, so pages without charts stay light.
 */
import type { ChartSpec } from '../../src/core/chart.js';
import { h } from './dom.js';

type Embed = typeof import('vega-embed').default;
let embedP: Promise<Embed> | null = null;

function loadEmbed(): Promise<Embed> {
  embedP ??= import('vega-embed').then((m) => m.default);
  return embedP;
}

/** A chart container (`data-testid="chart"`), with an accessible name. */
export function chartBox(label: string, cls = ''): HTMLDivElement {
  return h('div', { class: `chart ${cls}`, 'data-testid': 'chart', role: 'figure', 'aria-label': label });
}

/** Makes a single-view spec fill its container's width (facets keep their own widths). */
function responsive(spec: ChartSpec): Record<string, unknown> {
  const s: Record<string, unknown> = { ...spec };
  if (s['facet'] === undefined && s['repeat'] === undefined && s['concat'] === undefined) {
    s['width'] = 'container';
    s['autosize'] = { type: 'fit-x', contains: 'padding' };
  }
  if (typeof s['title'] === 'string' && s['description'] === undefined) s['description'] = s['title'];
  // Long titles start at the left edge instead of overflowing both sides of a narrow chart.
  const config = (s['config'] ?? {}) as Record<string, unknown>;
  s['config'] = { ...config, title: { anchor: 'start', ...((config['title'] as object) ?? {}) } };
  return s;
}

const finalizers = new WeakMap<HTMLElement, () => void>();

/**
 * Renders `spec` into `el` (replacing what was there) as SVG.
 *
 * @returns when the chart is drawn
 */
export async function renderChart(el: HTMLElement, spec: ChartSpec): Promise<void> {
  const embed = await loadEmbed();
  finalizers.get(el)?.();
  el.replaceChildren();
  delete el.dataset['empty'];
  const res = await embed(el, responsive(spec) as never, {
    renderer: 'svg',
    actions: { export: true, source: false, compiled: false, editor: false },
    tooltip: true,
  });
  finalizers.set(el, () => res.finalize());
  el.dataset['rendered'] = String(Number(el.dataset['rendered'] ?? '0') + 1);
}

/** Shows a message in a chart container instead of a chart (no data yet); marks it `data-empty`. */
export function emptyChart(el: HTMLElement, message: string): void {
  finalizers.get(el)?.();
  finalizers.delete(el);
  el.replaceChildren(h('p', { class: 'muted' }, message));
  el.dataset['empty'] = '1';
}
