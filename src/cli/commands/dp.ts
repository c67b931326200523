/** `allot dp ...`: value function iteration with interpolation (solve), Tauchen discretisation, simulated paths. */
import type { Command } from 'commander';
import { AllotError, isAllotError } from '../../core/errors.js';
import { assertInteger, assertPositive } from '../../core/validate.js';
// The solver's own files, not dp/index.js: that also loads tauchen.ts, whose normal CDF comes from @stdlib (~500 CommonJS
// files, most of a one-shot `dp solve`'s start-up). Tauchen, simulation and the rng are imported by the commands that
// use them.
import { type CakeSolution, solveCakeProblem } from '../../dp/cake.js';
import { policyChart, valueChart } from '../../dp/charts.js';
import { type CakeProblem, normalizeCakeConfig } from '../../dp/config.js';
import {
  checkOutputPath,
  info,
  isQuiet,
  numberOption,
  type OutputSpec,
  output,
  parseInteger,
  parseNumber,
  readJson,
  requiredOption,
  toJson,
  warn,
  writeOutputs,
} from '../io.js';

/** Documented maxima of `allot dp` beyond the config's (DP_LIMITS in the library): periods of `dp simulate`. */
export const DP_CLI_LIMITS = { periods: 10_000_000 } as const;

/** Library errors of tauchen() name its parameters; the CLI names its flags. */
function asFlags(e: unknown): unknown {
  if (!isAllotError(e)) return e;
  const msg = e.message.replace(
    /(^|[\s(,])(n|rho|sigma|m|mu)(?=[\s,)])/g,
    (_x, p: string, w: string) => `${p}${w === 'n' ? '--states' : `--${w}`}`,
  );
  return new AllotError(e.code, msg);
}

/** The RESULT.json of `allot dp solve`. */
export interface DpSolveResult {
  readonly converged: boolean;
  readonly iterations: number;
  readonly distances: number[];
  readonly grid: number[];
  /** number[] without shocks, number[][] indexed [grid][shock] with shocks. */
  readonly value: number[] | number[][];
  readonly policy: number[] | number[][];
  /** Solve time in seconds. */
  readonly seconds: number;
  /** Shock values (present only with shocks). */
  readonly shocks?: number[];
}

function shaped(sol: CakeSolution, data: Float64Array): number[] | number[][] {
  if (sol.problem.shocks === null) return Array.from(data);
  const S = sol.nShocks;
  const rows: number[][] = [];
  for (let i = 0; i < sol.grid.length; i++) rows.push(Array.from(data.subarray(i * S, (i + 1) * S)));
  return rows;
}

/** Builds RESULT.json from a solution and its solve time. */
export function dpSolveResult(sol: CakeSolution, seconds: number): DpSolveResult {
  const base = {
    converged: sol.converged,
    iterations: sol.iterations,
    distances: sol.distances,
    grid: Array.from(sol.grid),
    value: shaped(sol, sol.value),
    policy: shaped(sol, sol.policy),
    seconds,
  };
  return sol.problem.shocks === null ? base : { ...base, shocks: Array.from(sol.problem.shocks.values) };
}

/**
 * Progress of a long solve on a terminal: after the first second, the iteration and distance about once a second
 * (on one rewritten stderr line, cleared at the end). Silent when stderr is not a TTY or with --quiet.
 */
function solveWithProgress(problem: CakeProblem): CakeSolution {
  if (process.stderr.isTTY !== true || isQuiet()) return solveCakeProblem(problem);
  const t0 = performance.now();
  let next = t0 + 1000;
  let shown = false;
  const sol = solveCakeProblem(problem, {
    onIteration: (iteration, distance) => {
      const now = performance.now();
      if (now < next) return;
      next = now + 1000;
      shown = true;
      process.stderr.write(
        `\rdp solve: iteration ${iteration}/${problem.maxIterations}, distance ${distance.toExponential(3)} `,
      );
    },
  });
  if (shown) process.stderr.write('\r\x1b[K');
  return sol;
}

/** Solves a config file; returns the solution and its time in seconds. */
function solveFile(path: string): { sol: CakeSolution; seconds: number } {
  const problem = normalizeCakeConfig(readJson(path, '--config'));
  const t0 = performance.now();
  const sol = solveWithProgress(problem);
  return { sol, seconds: (performance.now() - t0) / 1000 };
}

/** Registers the `dp` commands on the program. */
export function registerDp(program: Command): void {
  const dp = program
    .command('dp')
    .description('dynamic programming: value function iteration with interpolation (cake eating)');

  dp.command('solve')
    .description(
      'solve the cake-eating Bellman equation by value function iteration with interpolation; prints RESULT.json ' +
        '{converged, iterations, distances, grid, value, policy, seconds}',
    )
    .addOption(
      requiredOption(
        '--config <file>',
        'CONFIG.json: {beta, utility:{type,gamma}, grid:{min,max,size}|{points}, initial, shocks:{values,probabilities}|' +
          "{values,transition}, interpolation, extrapolation, bounds, minimizer, kernel, stop}; defaults are the notebook's " +
          '({} for all defaults)',
      ),
    )
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option('--plot <prefix>', 'also write PREFIX-value.svg and PREFIX-policy.svg')
    .addHelpText(
      'after',
      '\nLimits: grid points <= 100000, shock states <= 1000, points x states <= 1e6, stop.maxIterations <= 100000.' +
        '\n\nExample:\n  echo \'{"beta": 0.9}\' > cake.json && npx allot dp solve --config cake.json --out out/cake.json',
    )
    .action(async (o: { config: string; out?: string; plot?: string }) => {
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      if (o.plot !== undefined) {
        checkOutputPath(`${o.plot}-value.svg`, '--plot');
        checkOutputPath(`${o.plot}-policy.svg`, '--plot');
      }
      const { sol, seconds } = solveFile(o.config);
      const result = dpSolveResult(sol, seconds);
      // Render every output first, then write them all (or none).
      const outs: OutputSpec[] = [output(toJson(result), o.out)];
      if (o.plot !== undefined) {
        // vega is heavy: load the renderer only when plots are asked for.
        const { renderSvg } = await import('../svg.js');
        outs.push({ path: `${o.plot}-value.svg`, data: await renderSvg(valueChart(sol)), flag: '--plot' });
        outs.push({ path: `${o.plot}-policy.svg`, data: await renderSvg(policyChart(sol)), flag: '--plot' });
      }
      writeOutputs(outs);
      if (!sol.converged) warn(`dp solve did not converge within stop.maxIterations = ${sol.iterations}`);
      info(
        `dp solve: ${sol.converged ? 'converged' : 'NOT converged (iteration cap)'} after ${sol.iterations} iterations, ` +
          `distance ${sol.distances.at(-1)}, ${(seconds * 1000).toFixed(1)} ms`,
      );
    });

  dp.command('tauchen')
    .description(
      "discretise the AR(1) y' = mu + rho y + e, e ~ N(0, sigma^2) (Tauchen 1986); prints {values, transition}, " +
        'ready to paste as a config\'s "shocks"',
    )
    .addOption(requiredOption('--states <n>', 'number of states, 2 <= n <= 1000'))
    .addOption(requiredOption('--rho <r>', 'autocorrelation, |rho| < 1'))
    .addOption(requiredOption('--sigma <s>', 'innovation standard deviation (> 0)'))
    .addOption(numberOption('--m <m>', 'grid half-width in unconditional standard deviations', 3))
    .addOption(numberOption('--mu <mu>', 'constant of the AR(1)', 0))
    .option('--out <file>', 'write the JSON here instead of stdout')
    .addHelpText('after', '\nExample:\n  npx allot dp tauchen --states 5 --rho 0.9 --sigma 0.1')
    .action(
      async (o: { states: string; rho: string; sigma: string; m: string; mu: string; out?: string }) => {
        const { matrixRows, TAUCHEN_MAX_STATES, tauchen } = await import('../../dp/tauchen.js');
        if (o.out !== undefined) checkOutputPath(o.out, '--out');
        const n = parseInteger('--states', o.states, 2, TAUCHEN_MAX_STATES);
        let chain: ReturnType<typeof tauchen>;
        try {
          chain = tauchen(n, parseNumber('--rho', o.rho), parseNumber('--sigma', o.sigma), {
            m: parseNumber('--m', o.m),
            mu: parseNumber('--mu', o.mu),
          });
        } catch (e) {
          throw asFlags(e);
        }
        writeOutputs([
          output(
            toJson({ values: Array.from(chain.values), transition: matrixRows(n, chain.transition) }),
            o.out,
          ),
        ]);
      },
    );

  dp.command('simulate')
    .description(
      'solve a config, then simulate the cake size path from W0 under the policy; prints ' +
        '{converged, cake, consumption, shocks}',
    )
    .addOption(requiredOption('--config <file>', 'CONFIG.json as for `dp solve`'))
    .addOption(requiredOption('--w0 <w>', 'initial cake size (> 0)'))
    .addOption(numberOption('--periods <t>', `number of periods, <= ${DP_CLI_LIMITS.periods}`, 20))
    .addOption(numberOption('--seed <n>', 'seed for the shock draws', 1))
    .option('--initial-shock <j>', 'shock state index in period 0 (default: drawn)')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .addHelpText(
      'after',
      '\nExample:\n  npx allot dp simulate --config cake.json --w0 5 --periods 10 --out out/path.json',
    )
    .action(
      async (o: {
        config: string;
        w0: string;
        periods: string;
        seed: string;
        initialShock?: string;
        out?: string;
      }) => {
        const [{ simulateCake }, { createRng }] = await Promise.all([
          import('../../dp/simulate.js'),
          import('../../core/rng.js'),
        ]);
        const w0 = parseNumber('--w0', o.w0);
        if (o.out !== undefined) checkOutputPath(o.out, '--out');
        const periods = parseInteger('--periods', o.periods, 1, DP_CLI_LIMITS.periods);
        const seed = parseInteger('--seed', o.seed, 0);
        const initialShock =
          o.initialShock === undefined ? undefined : parseInteger('--initial-shock', o.initialShock, 0);
        assertPositive('--w0', w0);
        const problem = normalizeCakeConfig(readJson(o.config, '--config'));
        const S = problem.shocks === null ? 1 : problem.shocks.values.length;
        if (initialShock !== undefined) assertInteger('--initial-shock', initialShock, 0, S - 1);
        const sol = solveWithProgress(problem);
        const path = simulateCake(
          sol,
          initialShock === undefined ? { w0, periods } : { w0, periods, initialShock },
          createRng(seed),
        );
        writeOutputs([
          output(
            toJson({
              converged: sol.converged,
              cake: path.cake,
              consumption: path.consumption,
              shocks: path.shocks,
            }),
            o.out,
          ),
        ]);
        if (!sol.converged) warn(`dp solve did not converge within stop.maxIterations = ${sol.iterations}`);
      },
    );
}
