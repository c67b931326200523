/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those whose name contains an argument: `npm run bench -- dp`),
 * prints a table to stderr and writes `out/bench/results.json`. Each bench module exports
 * `run(report: Reporter): Promise<void>`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, Reporter } from './harness.js';
import { sinkValue } from './harness.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const rows: BenchRow[] = [];
const reporter: Reporter = {
  rows,
  row(r) {
    rows.push(r);
    const v = Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(4);
    console.error(
      `  ${r.suite.padEnd(10)} ${r.name.padEnd(58)} ${v.padStart(12)} ${r.unit}${r.note ? `  (${r.note})` : ''}`,
    );
  },
};

console.error(
  `allot bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0]!.toFixed(2)}, node ${process.version}`,
);
for (const f of files) {
  console.error(`\n# ${f}`);
  const mod = (await import(join(dir, f))) as { run: (r: Reporter) => Promise<void> };
  await mod.run(reporter);
}
const outDir = join(dir, '..', 'out', 'bench');
mkdirSync(outDir, { recursive: true });
const result = {
  machine: { cores: cpus().length, model: cpus()[0]?.model, node: process.version },
  finishedLoad: loadavg()[0],
  rows,
  sink: sinkValue(),
};
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
console.error(`\nwrote ${join(outDir, 'results.json')}`);
