/**
 * `allot reproduce forecast`: the allocation-scoring paper's claims, recomputed. The report is built by
 * src/reports/forecast.ts (shared with the dashboard); this file finds the hub files and writes the report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildForecastReport } from '../../reports/index.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';
import { writeReport } from './write-report.js';

/** Finds the FluSight subset: $ALLOT_SHARED/data/forecast-hub, ../shared beside the package, or the bundled sample. */
function findHub(): { dir: string; full: boolean } {
  const c: string[] = [];
  const env = process.env['ALLOT_SHARED'];
  if (env) c.push(join(env, 'data', 'forecast-hub'));
  c.push(fileURLToPath(new URL('../../../../shared/data/forecast-hub', import.meta.url)));
  c.push(join(process.cwd(), '..', 'shared', 'data', 'forecast-hub'));
  c.push(join(process.cwd(), 'shared', 'data', 'forecast-hub'));
  for (const d of c) if (existsSync(join(d, 'model-output.csv'))) return { dir: d, full: true };
  return { dir: fileURLToPath(new URL('../../../fixtures/forecast', import.meta.url)), full: false };
}

/** Reproduces the forecast seed paper. */
export async function reproduceForecast(opts: ReproduceOptions): Promise<ReproduceResult> {
  const hub = findHub();
  const report = buildForecastReport({
    modelOutputCsv: readFileSync(join(hub.dir, 'model-output.csv'), 'utf8'),
    targetDataCsv: readFileSync(join(hub.dir, 'target-data.csv'), 'utf8'),
    source: hub.dir,
    full: hub.full,
    quick: opts.quick,
    seed: opts.seed,
  });
  const { report: md, files } = await writeReport(report, opts.outDir, {
    quick: opts.quick,
    command: `npx allot reproduce forecast${opts.smoke ? ' --smoke' : opts.quick ? ' --quick' : ''}`,
  });
  return { report: md, files, summary: report.summary };
}
