/** `allot reproduce <domain>|all`: regenerate every table and plot of a seed paper. */
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { AllotError } from '../../core/errors.js';
import { ensureDir, info, parseInteger } from '../io.js';
import type { ReproduceOptions, ReproduceResult } from '../reproduce/types.js';

type Reproducer = (opts: ReproduceOptions) => Promise<ReproduceResult>;

/** Domains in the order `all` runs them, each loaded lazily. */
export const REPRODUCERS: Readonly<Record<string, () => Promise<Reproducer>>> = {
  dp: async () => (await import('../reproduce/dp.js')).reproduceDp,
  forecast: async () => (await import('../reproduce/forecast.js')).reproduceForecast,
  budget: async () => (await import('../reproduce/budget.js')).reproduceBudget,
  rank: async () => (await import('../reproduce/rank.js')).reproduceRank,
  explore: async () => (await import('../reproduce/explore.js')).reproduceExplore,
  evaluate: async () => (await import('../reproduce/evaluate.js')).reproduceEvaluate,
};

/** Registers `allot reproduce`. */
export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description(
      `regenerate a seed paper's tables and plots as markdown + SVG (${Object.keys(REPRODUCERS).join(', ')}, or all); ` +
        'dp and forecast also write report.json, which the dashboard (allot serve, /reproductions) shows',
    )
    .argument('<domain>', `one of ${Object.keys(REPRODUCERS).join(', ')}, all`)
    .option('--out <dir>', 'output folder (default: out/reproduce/<domain>)')
    .option('--quick', 'smaller run (fewer replications/rounds), for a fast look', false)
    .option(
      '--smoke',
      'tiny run that only checks the pipeline end to end (tests); numbers mean nothing',
      false,
    )
    .addOption(new Option('--seed <n>', 'root seed').default('1', '1'))
    .addHelpText('after', '\nExample:\n  npx allot reproduce dp --out out/reproduce/dp')
    .option('--workers <n>', 'worker threads (default: all cores)')
    .action(
      async (
        domain: string,
        o: { out?: string; quick: boolean; smoke: boolean; seed: string; workers?: string },
      ) => {
        const names = domain === 'all' ? Object.keys(REPRODUCERS) : [domain];
        for (const n of names) {
          if (!(n in REPRODUCERS)) {
            throw new AllotError(
              'ALLOT_UNKNOWN_OPTION',
              `domain must be one of ${Object.keys(REPRODUCERS).join(', ')}, all (got ${JSON.stringify(domain)})`,
            );
          }
        }
        const seed = parseInteger('--seed', o.seed, 0);
        const workers = o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1);
        for (const n of names) {
          const outDir = resolve(
            o.out === undefined ? join('out', 'reproduce', n) : names.length > 1 ? join(o.out, n) : o.out,
          );
          ensureDir(outDir);
          const quick = o.quick || o.smoke;
          info(`reproduce ${n}${o.smoke ? ' (smoke)' : quick ? ' (quick)' : ''}: writing to ${outDir}`);
          const run = await REPRODUCERS[n]!();
          const t0 = performance.now();
          const res = await run({
            outDir,
            quick,
            smoke: o.smoke,
            workers,
            seed,
            progress: process.stderr.isTTY === true,
          });
          for (const line of res.summary) info(`  ${line}`);
          info(
            `reproduce ${n}: report written to ${res.report} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
          );
          process.stdout.write(`${res.report}\n`);
        }
      },
    );
}
