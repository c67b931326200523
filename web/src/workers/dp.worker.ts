/** Web Worker: value function iteration for the cake-eating problem, off the page's thread. */
import type { ChartSpec } from '../../../src/core/chart.js';
import { type CakeEatingConfig, policyChart, solveCakeEating, valueChart } from '../../../src/dp/index.js';
import { errorData, onMessage, post } from './post.js';

/** A request: solve this config. */
export interface DpRequest {
  readonly id: number;
  readonly config: CakeEatingConfig;
}

/** Messages the worker sends back. */
export type DpMessage =
  | { readonly type: 'progress'; readonly id: number; readonly iteration: number; readonly distance: number }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly iterations: number;
      readonly converged: boolean;
      readonly distances: number[];
      readonly grid: number[];
      readonly nShocks: number;
      readonly shocks: number[] | null;
      /** Row-major [grid][shock]. */
      readonly value: number[];
      readonly policy: number[];
      readonly milliseconds: number;
      readonly valueSpec: ChartSpec;
      readonly policySpec: ChartSpec;
    }
  | { readonly type: 'error'; readonly id: number; readonly code: string; readonly message: string };

onMessage<DpRequest>((req) => {
  try {
    const t0 = performance.now();
    const sol = solveCakeEating(req.config, {
      onIteration: (iteration, distance) => post({ type: 'progress', id: req.id, iteration, distance }),
    });
    const ms = performance.now() - t0;
    const msg: DpMessage = {
      type: 'done',
      id: req.id,
      iterations: sol.iterations,
      converged: sol.converged,
      distances: sol.distances,
      grid: Array.from(sol.grid),
      nShocks: sol.nShocks,
      shocks: sol.problem.shocks === null ? null : Array.from(sol.problem.shocks.values),
      value: Array.from(sol.value),
      policy: Array.from(sol.policy),
      milliseconds: ms,
      valueSpec: valueChart(sol),
      policySpec: policyChart(sol),
    };
    post(msg);
  } catch (e) {
    post({ type: 'error', id: req.id, ...errorData(e) });
  }
});
