/** The shape every report builder returns: one report, rendered by the CLI (markdown + SVG) and by the dashboard. */
import type { ChartSpec } from '../core/chart.js';

/** One chart of a report: the file name the markdown links (`![...](name.svg)`) and its Vega-Lite spec. */
export interface ReportChart {
  /** File name, e.g. `deterministic-value.svg` (the CLI writes the SVG there; the dashboard renders the spec). */
  readonly file: string;
  /** The chart, as a Vega-Lite spec (one spec, two renderers). */
  readonly spec: ChartSpec;
}

/**
 * A reproduction report as plain data: what `allot reproduce <domain>` writes (report.md, the SVGs, results.json,
 * and all of it as report.json) and what the dashboard's Reproductions view shows.
 */
export interface Report {
  /** Domain name (`dp`, `forecast`, ...). */
  readonly domain: string;
  /** The report's title (the markdown's first heading, without `#`). */
  readonly title: string;
  /** The report in markdown; charts are referenced by file name as images or links. */
  readonly markdown: string;
  /** Every chart the markdown references. */
  readonly charts: readonly ReportChart[];
  /** The machine-readable results (results.json). */
  readonly results: Readonly<Record<string, unknown>>;
  /** A few lines for a terminal: the headline findings. */
  readonly summary: readonly string[];
}

/** The JSON file `report.json` the CLI writes beside report.md: a {@link Report} plus when and how it was built. */
export interface ReportFile extends Report {
  /** ISO time the report was built. */
  readonly generatedAt: string;
  /** Quick or smoke run (fewer replications; numbers are rougher). */
  readonly quick: boolean;
  /** The command that regenerates it. */
  readonly command: string;
}
