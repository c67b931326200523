/** `allot dp ...`: value function iteration with interpolation (solve), Tauchen discretisation, simulated paths. */
import type { Command } from 'commander';
import { createRng } from '../../core/rng.js';
import { assertInteger, assertPositive } from '../../core/validate.js';
import {
  type CakeSolution,
  matrixRows,
  normalizeCakeConfig,
  policyChart,
  simulateCake,
  solveCakeProblem,
  tauchen,
  valueChart,
} from '../../dp/index.js';
import { emit, info, parseInteger, parseNumber, readJson, toJson, writeFileAtomic } from '../io.js';

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

/** Solves a config file; returns the solution and its time in seconds. */
function solveFile(path: string): { sol: CakeSolution; seconds: number } {
  const problem = normalizeCakeConfig(readJson(path, '--config'));
  const t0 = performance.now();
  const sol = solveCakeProblem(problem);
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
    .requiredOption(
      '--config <file>',
      'CONFIG.json: {beta, utility:{type,gamma}, grid:{min,max,size}|{points}, initial, shocks:{values,probabilities}|' +
        "{values,transition}, interpolation, extrapolation, bounds, minimizer, kernel, stop}; defaults are the notebook's",
    )
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option('--plot <prefix>', 'also write PREFIX-value.svg and PREFIX-policy.svg')
    .action(async (o: { config: string; out?: string; plot?: string }) => {
      const { sol, seconds } = solveFile(o.config);
      const result = dpSolveResult(sol, seconds);
      // Render before writing anything, so a failure leaves no partial output.
      let svgs: string[] | null = null;
      if (o.plot !== undefined) {
        // vega is heavy: load the renderer only when plots are asked for.
        const { renderSvg } = await import('../svg.js');
        svgs = [await renderSvg(valueChart(sol)), await renderSvg(policyChart(sol))];
      }
      emit(toJson(result), o.out);
      if (svgs !== null && o.plot !== undefined) {
        writeFileAtomic(`${o.plot}-value.svg`, svgs[0]!);
        writeFileAtomic(`${o.plot}-policy.svg`, svgs[1]!);
      }
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
    .requiredOption('--states <n>', 'number of states (>= 2)')
    .requiredOption('--rho <r>', 'autocorrelation, |rho| < 1')
    .requiredOption('--sigma <s>', 'innovation standard deviation (> 0)')
    .option('--m <m>', 'grid half-width in unconditional standard deviations', '3')
    .option('--mu <mu>', 'constant of the AR(1)', '0')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action((o: { states: string; rho: string; sigma: string; m: string; mu: string; out?: string }) => {
      const n = parseInteger('--states', o.states, 2);
      const chain = tauchen(n, parseNumber('--rho', o.rho), parseNumber('--sigma', o.sigma), {
        m: parseNumber('--m', o.m),
        mu: parseNumber('--mu', o.mu),
      });
      emit(toJson({ values: Array.from(chain.values), transition: matrixRows(n, chain.transition) }), o.out);
    });

  dp.command('simulate')
    .description(
      'solve a config, then simulate the cake size path from W0 under the policy; prints ' +
        '{converged, cake, consumption, shocks}',
    )
    .requiredOption('--config <file>', 'CONFIG.json as for `dp solve`')
    .requiredOption('--w0 <w>', 'initial cake size (> 0)')
    .option('--periods <t>', 'number of periods', '20')
    .option('--seed <n>', 'seed for the shock draws', '1')
    .option('--initial-shock <j>', 'shock state index in period 0 (default: drawn)')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action(
      (o: {
        config: string;
        w0: string;
        periods: string;
        seed: string;
        initialShock?: string;
        out?: string;
      }) => {
        const w0 = parseNumber('--w0', o.w0);
        const periods = parseInteger('--periods', o.periods, 1);
        const seed = parseInteger('--seed', o.seed, 0);
        const initialShock =
          o.initialShock === undefined ? undefined : parseInteger('--initial-shock', o.initialShock, 0);
        assertPositive('--w0', w0);
        const problem = normalizeCakeConfig(readJson(o.config, '--config'));
        const S = problem.shocks === null ? 1 : problem.shocks.values.length;
        if (initialShock !== undefined) assertInteger('--initial-shock', initialShock, 0, S - 1);
        const sol = solveCakeProblem(problem);
        const path = simulateCake(
          sol,
          initialShock === undefined ? { w0, periods } : { w0, periods, initialShock },
          createRng(seed),
        );
        emit(
          toJson({
            converged: sol.converged,
            cake: path.cake,
            consumption: path.consumption,
            shocks: path.shocks,
          }),
          o.out,
        );
      },
    );
}
