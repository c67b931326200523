/**
 * Value function iteration with interpolation for the cake-eating problem (Evans 2019), generalised: CRRA utility,
 * i.i.d. or Markov utility shocks, four interpolation methods, two stop rules.
 */
import { AllotError } from '../core/errors.js';
import type { CakeEatingConfig, CakeProblem, StopMetric } from './config.js';
import { normalizeCakeConfig } from './config.js';
import {
  allocateInterpolant,
  bsplineToPP,
  type Extrapolation,
  evalKnotPP,
  evalNotAKnot,
  evaluateInterpolant,
  fitInterpolant,
  type Interpolant,
  type InterpolationKind,
} from './interpolate.js';
import { brentBounded } from './minimize.js';

/** The solution of a cake-eating problem. */
export interface CakeSolution {
  /** The problem solved (normalised). */
  readonly problem: CakeProblem;
  /** The grid of cake sizes W (length n). */
  readonly grid: Float64Array;
  /** Number of shock states S (1 without shocks). */
  readonly nShocks: number;
  /** V(W_i, eps_j) at `value[i * nShocks + j]` (row-major [grid][shock]). */
  readonly value: Float64Array;
  /** The policy W' = psi(W_i, eps_j), same layout as `value`. */
  readonly policy: Float64Array;
  /** Distance between successive value functions, one per iteration (metric `problem.metric`). */
  readonly distances: number[];
  /** Iterations run. */
  readonly iterations: number;
  /** Whether the last distance is <= the tolerance (false when the iteration cap was hit first). */
  readonly converged: boolean;
  /** Grid points (summed over iterations) where Brent stopped at its evaluation cap instead of xatol. */
  readonly minimizerCapHits: number;
}

/** Hooks of {@link solveCakeProblem}. */
export interface CakeSolveHooks {
  /** Called after every iteration with its number (1-based) and distance. */
  readonly onIteration?: (iteration: number, distance: number) => void;
}

/**
 * numpy's pairwise summation of `a[0..n)` (`pairwise_sum` in numpy's umath loops: 8 accumulators for blocks up to
 * 128, recursive halving above), so that the sum of squared differences agrees with `((V0 - V1)**2).sum()`.
 */
export function pairwiseSum(a: Float64Array, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[off + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[off]!;
    let r1 = a[off + 1]!;
    let r2 = a[off + 2]!;
    let r3 = a[off + 3]!;
    let r4 = a[off + 4]!;
    let r5 = a[off + 5]!;
    let r6 = a[off + 6]!;
    let r7 = a[off + 7]!;
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      r0 += a[off + i]!;
      r1 += a[off + i + 1]!;
      r2 += a[off + i + 2]!;
      r3 += a[off + i + 3]!;
      r4 += a[off + i + 4]!;
      r5 += a[off + i + 5]!;
      r6 += a[off + i + 6]!;
      r7 += a[off + i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[off + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
}

/**
 * Solves the cake-eating Bellman equation by value function iteration with interpolation.
 *
 * @remarks
 * Iterates the contraction of the seed's section 2 (Bellman equation (2)/(3), with the shock forms of section 3):
 * `V_{t+1}(W, eps) = max_{W' in [lo, W - hi]} exp(eps) u(W - W') + beta E[V_t(W', eps') | eps]`, with
 * `u(c) = (c^(1-gamma) - 1)/(1-gamma)` (log c at gamma = 1). Each iteration interpolates the expected continuation
 * value on the grid (one interpolant for no or i.i.d. shocks; one per current state for Markov shocks, the row of the
 * transition matrix weighting next period's values) and maximises by Brent's bounded method at every grid point and
 * shock. Stops when the distance between successive value functions (sum of squares `sse`, as the notebook, or sup
 * norm) is <= tolerance, or after `maxIterations` (then `converged` is false; it is not an error). With the defaults
 * the computation is the notebook's, operation for operation.
 *
 * Reference: R. W. Evans, "Dynamic Programming with Interpolation", Jupyter notebook, May 2019
 * (shared/seeds/dynamic-programming-interpolation.md).
 *
 * @param config - the problem (JSON shape, see {@link CakeEatingConfig}; defaults are the notebook's).
 * @param hooks - optional per-iteration callback.
 * @returns value and policy on the grid ([grid][shock]), distances, iterations and convergence.
 * @throws every code of {@link normalizeCakeConfig}; ALLOT_DEGENERATE when the iteration produces a non-finite value.
 * @example
 * ```ts
 * solveCakeEating({ shocks: { values: [-1.4, -0.55, 0, 0.55, 1.4],
 *   transition: [[0.4, 0.28, 0.18, 0.1, 0.04], [0.2, 0.4, 0.2, 0.13, 0.07], [0.1, 0.2, 0.4, 0.2, 0.1],
 *                [0.07, 0.13, 0.2, 0.4, 0.2], [0.04, 0.1, 0.18, 0.28, 0.4]] }, beta: 0.3 }).iterations; // 14
 * ```
 */
export function solveCakeEating(
  config: CakeEatingConfig | unknown = {},
  hooks: CakeSolveHooks = {},
): CakeSolution {
  return solveCakeProblem(normalizeCakeConfig(config), hooks);
}

/**
 * Solves an already normalised problem (see {@link solveCakeEating}).
 *
 * @param p - a problem from {@link normalizeCakeConfig}.
 * @param hooks - optional per-iteration callback.
 * @returns the solution.
 * @throws ALLOT_DEGENERATE when the iteration produces a non-finite value.
 */
export function solveCakeProblem(p: CakeProblem, hooks: CakeSolveHooks = {}): CakeSolution {
  const grid = p.grid;
  const n = grid.length;
  const shocks = p.shocks;
  const S = shocks === null ? 1 : shocks.values.length;
  const N = n * S;
  let vOld = new Float64Array(N);
  let vNew = Float64Array.from(p.initial);
  const policy = new Float64Array(N);
  const sq = new Float64Array(N);
  const ev = new Float64Array(n);
  const sp: Interpolant = allocateInterpolant(p.interpolation, p.extrapolation, grid);
  const expEps = new Float64Array(S);
  for (let j = 0; j < S; j++) expEps[j] = shocks === null ? 1 : Math.exp(shocks.values[j]!);
  const probs = shocks?.probabilities ?? null;
  const trans = shocks?.transition ?? null;
  const beta = p.beta;
  const gamma = p.gamma;
  const oneMinusGamma = 1 - gamma;
  const isLog = gamma === 1;
  const out = new Float64Array(4);
  // The objective reads the current grid point and shock from these, so one closure serves the whole solve.
  let wCur = 0;
  let aCur = 1;
  // Specialised for the default (not-a-knot, extrapolated): the kernel is called directly so that it inlines.
  const direct = p.interpolation === 'cubic' && p.extrapolation === 'extrapolate';
  const fast = p.kernel === 'fast';
  const knots = sp.knots;
  const coef = sp.coef;
  const pp = new Float64Array(fast && direct ? 4 * (n - 3) : 0);
  let objective: (wp: number) => number;
  if (isLog) {
    objective = direct
      ? fast
        ? (wp) => -(aCur * Math.log(wCur - wp) + beta * evalKnotPP(knots, pp, n, wp))
        : (wp) => -(aCur * Math.log(wCur - wp) + beta * evalNotAKnot(knots, coef, n, wp))
      : (wp) => -(aCur * Math.log(wCur - wp) + beta * evaluateInterpolant(sp, wp));
  } else if (fast) {
    objective = direct
      ? (wp) => {
          const c = wCur - wp;
          return -(
            aCur * ((Math.exp(oneMinusGamma * Math.log(c)) - 1) / oneMinusGamma) +
            beta * evalKnotPP(knots, pp, n, wp)
          );
        }
      : (wp) => {
          const c = wCur - wp;
          return -(
            aCur * ((Math.exp(oneMinusGamma * Math.log(c)) - 1) / oneMinusGamma) +
            beta * evaluateInterpolant(sp, wp)
          );
        };
  } else {
    objective = direct
      ? (wp) => {
          const c = wCur - wp;
          return -(
            aCur * ((c ** oneMinusGamma - 1) / oneMinusGamma) +
            beta * evalNotAKnot(knots, coef, n, wp)
          );
        }
      : (wp) => {
          const c = wCur - wp;
          return -(aCur * ((c ** oneMinusGamma - 1) / oneMinusGamma) + beta * evaluateInterpolant(sp, wp));
        };
  }
  const refit = (y: Float64Array): void => {
    fitInterpolant(sp, y);
    if (pp.length > 0) bsplineToPP(knots, coef, n, pp);
  };
  const plain = shocks === null;
  const distances: number[] = [];
  let iter = 0;
  let dist = Number.POSITIVE_INFINITY;
  let capHits = 0;
  while (iter < p.maxIterations && dist > p.tolerance) {
    iter++;
    const tmp = vOld;
    vOld = vNew;
    vNew = tmp;
    if (plain) {
      refit(vOld);
    } else if (probs !== null) {
      expectation(vOld, n, S, probs, 0, ev);
      refit(ev);
    }
    for (let j = 0; j < S; j++) {
      if (trans !== null) {
        expectation(vOld, n, S, trans, j * S, ev);
        refit(ev);
      }
      aCur = plain ? 1 : expEps[j]!;
      for (let i = 0; i < n; i++) {
        wCur = grid[i]!;
        brentBounded(objective, p.lowerOffset, wCur - p.upperOffset, p.xatol, p.maxiter, out);
        vNew[i * S + j] = -out[1]!;
        policy[i * S + j] = out[0]!;
        if (out[3] === 1) capHits++;
      }
    }
    dist = distance(p.metric, vOld, vNew, sq);
    if (!Number.isFinite(dist)) {
      throw new AllotError(
        'ALLOT_DEGENERATE',
        `value function iteration produced a non-finite value at iteration ${iter} (distance ${dist}); check utility.gamma, the grid and bounds`,
      );
    }
    distances.push(dist);
    hooks.onIteration?.(iter, dist);
  }
  return {
    problem: p,
    grid,
    nShocks: S,
    value: vNew,
    policy,
    distances,
    iterations: iter,
    converged: dist <= p.tolerance,
    minimizerCapHits: capHits,
  };
}

/** ev[i] = sum_k v[i*S + k] * w[off + k] (left to right). */
function expectation(
  v: Float64Array,
  n: number,
  S: number,
  w: Float64Array,
  off: number,
  ev: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * S;
    for (let k = 0; k < S; k++) s += v[o + k]! * w[off + k]!;
    ev[i] = s;
  }
}

function distance(metric: StopMetric, a: Float64Array, b: Float64Array, sq: Float64Array): number {
  if (metric === 'sup') {
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (d > m || Number.isNaN(d)) m = d;
    }
    return m;
  }
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sq[i] = d * d;
  }
  return pairwiseSum(sq, 0, sq.length);
}

/**
 * The value function of one shock state as an interpolant over the grid.
 *
 * @param sol - a solution.
 * @param shock - shock state index in [0, S) (default 0).
 * @param kind - interpolation (default: the one used in the solve).
 * @returns an interpolant of V(., eps_shock).
 * @throws ALLOT_OUT_OF_RANGE for a bad shock index.
 */
export function valueFunction(sol: CakeSolution, shock = 0, kind?: InterpolationKind): Interpolant {
  return column(sol, sol.value, shock, kind ?? sol.problem.interpolation, sol.problem.extrapolation);
}

/**
 * The policy W' = psi(W, eps_shock) as an interpolated function of W.
 *
 * @param sol - a solution.
 * @param shock - shock state index in [0, S) (default 0).
 * @param kind - interpolation (default 'linear': no overshoot, keeps the policy's monotonicity).
 * @param extrapolation - outside the grid (default 'extrapolate').
 * @returns an interpolant of the policy.
 * @throws ALLOT_OUT_OF_RANGE for a bad shock index.
 */
export function policyFunction(
  sol: CakeSolution,
  shock = 0,
  kind: InterpolationKind = 'linear',
  extrapolation: Extrapolation = 'extrapolate',
): Interpolant {
  return column(sol, sol.policy, shock, kind, extrapolation);
}

function column(
  sol: CakeSolution,
  data: Float64Array,
  shock: number,
  kind: InterpolationKind,
  extrapolation: Extrapolation,
): Interpolant {
  const S = sol.nShocks;
  if (!Number.isInteger(shock) || shock < 0 || shock >= S) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `shock must be an integer in [0, ${S - 1}] (got ${shock})`);
  }
  const n = sol.grid.length;
  const need = kind === 'cubic' ? 4 : kind === 'natural' ? 3 : 2;
  if (n < need) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${kind} interpolation needs at least ${need} points (got ${n})`,
    );
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = data[i * S + shock]!;
  const s = allocateInterpolant(kind, extrapolation, sol.grid);
  fitInterpolant(s, y);
  return s;
}
