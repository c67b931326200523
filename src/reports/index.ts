/**
 * @module
 * Reproduction reports as plain data (markdown, chart specs, results), built by the same code for the CLI
 * (`allot reproduce`, which renders them to files) and the dashboard (which renders them in the browser).
 * Browser-safe.
 */

export { type AllocationBar, allocationChart, type RatePoint, rateChart } from './charts.js';
export { buildDpReport, type DpNotebookReference, type DpReportInput } from './dp.js';
export { buildForecastReport, type ForecastReportInput } from './forecast.js';
export type { Report, ReportChart, ReportFile } from './types.js';
