/** Writes a {@link Report} as the CLI's files: report.md, one SVG per chart, results.json and report.json. */
import { join } from 'node:path';
import type { Report, ReportFile } from '../../reports/index.js';
import { toJson, writeFileAtomic } from '../io.js';
import { renderSvg } from '../svg.js';

/**
 * Renders every chart first (so a failure leaves no partial report), then writes the files atomically.
 *
 * @param report - the built report
 * @param outDir - the output folder (exists)
 * @param meta - quick or not, the command that regenerates it
 * @returns the report.md path and every file written
 */
export async function writeReport(
  report: Report,
  outDir: string,
  meta: { quick: boolean; command: string },
): Promise<{ report: string; files: string[] }> {
  const svgs: [string, string][] = [];
  for (const c of report.charts) svgs.push([join(outDir, c.file), await renderSvg(c.spec)]);
  const files: string[] = [];
  for (const [p, svg] of svgs) {
    writeFileAtomic(p, svg);
    files.push(p);
  }
  const results = join(outDir, 'results.json');
  writeFileAtomic(results, `${toJson(report.results)}\n`);
  files.push(results);
  const file: ReportFile = { ...report, generatedAt: new Date().toISOString(), ...meta };
  const json = join(outDir, 'report.json');
  writeFileAtomic(json, `${toJson(file)}\n`);
  files.push(json);
  const md = join(outDir, 'report.md');
  writeFileAtomic(md, report.markdown.endsWith('\n') ? report.markdown : `${report.markdown}\n`);
  files.push(md);
  return { report: md, files };
}
