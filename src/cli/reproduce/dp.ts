/**
 * `allot reproduce dp`: the cake-eating notebook's three solves (deterministic, i.i.d. shocks, Markov shocks), compared
 * with its printed numbers (shared/reference/dp-notebook.json), with value and policy plots. The report itself is
 * built by src/reports/dp.ts (shared with the dashboard); this file finds the reference and writes the files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AllotError } from '../../core/errors.js';
import { buildDpReport, type DpNotebookReference } from '../../reports/index.js';
import type { ReproduceOptions, ReproduceResult } from './types.js';
import { writeReport } from './write-report.js';

/**
 * Finds shared/reference/dp-notebook.json: $ALLOT_SHARED, ../shared beside the package, ./shared, or the copy the
 * package ships in fixtures/dp/notebook-reference.json (so `npm start` works without the shared folder).
 */
function loadReference(): { ref: DpNotebookReference; path: string } {
  const candidates: string[] = [];
  const env = process.env['ALLOT_SHARED'];
  if (env) candidates.push(join(env, 'reference', 'dp-notebook.json'));
  candidates.push(fileURLToPath(new URL('../../../../shared/reference/dp-notebook.json', import.meta.url)));
  candidates.push(join(process.cwd(), '..', 'shared', 'reference', 'dp-notebook.json'));
  candidates.push(join(process.cwd(), 'shared', 'reference', 'dp-notebook.json'));
  candidates.push(fileURLToPath(new URL('../../../fixtures/dp/notebook-reference.json', import.meta.url)));
  for (const p of candidates) {
    if (existsSync(p)) return { ref: JSON.parse(readFileSync(p, 'utf8')) as DpNotebookReference, path: p };
  }
  throw new AllotError(
    'ALLOT_FILE_NOT_FOUND',
    `dp-notebook.json not found (looked in ${candidates.join(', ')}); set ALLOT_SHARED to the shared folder`,
  );
}

/** Reproduces the dp seed (the cake-eating notebook). */
export async function reproduceDp(opts: ReproduceOptions): Promise<ReproduceResult> {
  const { ref, path } = loadReference();
  const report = buildDpReport({
    reference: ref,
    referencePath: path,
    generatedAt: new Date().toISOString(),
  });
  const { report: md, files } = await writeReport(report, opts.outDir, {
    quick: opts.quick,
    command: `npx allot reproduce dp${opts.smoke ? ' --smoke' : opts.quick ? ' --quick' : ''}`,
  });
  return { report: md, files, summary: report.summary };
}
