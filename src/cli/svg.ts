/** Renders a Vega-Lite {@link ChartSpec} to SVG (Node side of "one chart spec, two renderers"). */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../core/chart.js';
import { writeFileAtomic } from './io.js';

/** The SVG text of a chart spec. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  // Vega loads on the first plot, not with every command (it is most of the CLI's start-up).
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders a spec and writes it to `path` atomically. */
export async function writeSvg(path: string, spec: ChartSpec): Promise<void> {
  writeFileAtomic(path, await renderSvg(spec));
}
