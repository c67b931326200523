/** Renders a Vega-Lite {@link ChartSpec} to SVG (Node side of "one chart spec, two renderers"). */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../core/chart.js';
import { writeFileAtomic } from './io.js';

/** The SVG text of a chart spec. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
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
