/** Simulated paths of cake sizes under a solved policy. */
import { AllotError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { assertInteger, assertPositive } from '../core/validate.js';
import { type CakeSolution, policyFunction } from './cake.js';
import { evaluateInterpolant, type Interpolant, type InterpolationKind } from './interpolate.js';
import { stationaryDistribution } from './tauchen.js';

/** Options of {@link simulateCake}. */
export interface SimulateCakeOptions {
  /** Initial cake size W0 (> 0). */
  readonly w0: number;
  /** Number of periods T (integer >= 1). */
  readonly periods: number;
  /**
   * Shock state in period 0 (index); default: drawn from the i.i.d. probabilities, or from the stationary
   * distribution of the Markov chain.
   */
  readonly initialShock?: number;
  /** Interpolation of the policy between grid points (default 'linear'). */
  readonly interpolation?: InterpolationKind;
}

/** A simulated path. */
export interface CakePath {
  /** Cake sizes W_0..W_T (length T + 1). */
  readonly cake: Float64Array;
  /** Consumption c_t = W_t - W_{t+1} (length T). */
  readonly consumption: Float64Array;
  /** Shock state index in each period 0..T-1 (all 0 without shocks). */
  readonly shocks: Int32Array;
}

function draw(rng: Rng, p: Float64Array, off: number, S: number): number {
  const u = rng.uniform();
  let acc = 0;
  for (let k = 0; k < S - 1; k++) {
    acc += p[off + k]!;
    if (u < acc) return k;
  }
  return S - 1;
}

/**
 * Simulates the cake size path from W0 under the solved policy.
 *
 * @remarks
 * `W_{t+1} = psi(W_t, eps_t)` with psi interpolated between grid points (and extrapolated outside the grid), then
 * clamped to the feasible set [0, W_t]; `c_t = W_t - W_{t+1}`. The next shock is drawn from the i.i.d.
 * probabilities or from row `eps_t` of the transition matrix with `rng.uniform()` (inverse CDF), so a seed fixes the
 * path. Without shocks the path is deterministic and `rng` is not used.
 *
 * @param sol - a solution of {@link solveCakeEating}.
 * @param opts - W0, number of periods, initial shock, policy interpolation.
 * @param rng - the random number generator for the shocks.
 * @returns cake sizes, consumption and shock states.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT / ALLOT_NOT_FINITE for bad options.
 */
export function simulateCake(sol: CakeSolution, opts: SimulateCakeOptions, rng: Rng): CakePath {
  assertPositive('w0', opts.w0);
  assertInteger('periods', opts.periods, 1, 10_000_000);
  const S = sol.nShocks;
  const shocks = sol.problem.shocks;
  if (opts.initialShock !== undefined) assertInteger('initialShock', opts.initialShock, 0, S - 1);
  const policies: Interpolant[] = [];
  for (let j = 0; j < S; j++) policies.push(policyFunction(sol, j, opts.interpolation ?? 'linear'));
  const T = opts.periods;
  const cake = new Float64Array(T + 1);
  const consumption = new Float64Array(T);
  const states = new Int32Array(T);
  let probs: Float64Array | null = null;
  let trans: Float64Array | null = null;
  if (shocks !== null) {
    probs = shocks.probabilities;
    trans = shocks.transition;
  }
  let s = 0;
  if (opts.initialShock !== undefined) s = opts.initialShock;
  else if (probs !== null) s = draw(rng, probs, 0, S);
  else if (trans !== null) s = draw(rng, stationaryDistribution(S, trans), 0, S);
  cake[0] = opts.w0;
  for (let t = 0; t < T; t++) {
    const w = cake[t]!;
    states[t] = s;
    let wp = evaluateInterpolant(policies[s]!, w);
    if (!(wp >= 0)) wp = 0;
    if (wp > w) wp = w;
    cake[t + 1] = wp;
    consumption[t] = w - wp;
    if (t + 1 < T) {
      if (probs !== null) s = draw(rng, probs, 0, S);
      else if (trans !== null) s = draw(rng, trans, s * S, S);
    }
  }
  if (!Number.isFinite(cake[T]!)) throw new AllotError('ALLOT_DEGENERATE', 'simulated path is not finite');
  return { cake, consumption, shocks: states };
}
