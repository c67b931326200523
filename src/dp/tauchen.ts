/** Tauchen (1986) discretisation of a Gaussian AR(1) process into a finite Markov chain. */
import { normalCdf } from '../core/dist.js';
import { AllotError } from '../core/errors.js';
import { assertFinite, assertInteger, assertPositive } from '../core/validate.js';
import { linspace } from './grid.js';

/** A finite Markov chain approximating an AR(1). */
export interface MarkovChain {
  /** State values (length n, increasing). */
  readonly values: Float64Array;
  /** Transition matrix, row-major n x n; row j is the distribution of next state given state j. */
  readonly transition: Float64Array;
  /** Number of states. */
  readonly n: number;
}

/** Options of {@link tauchen}. */
export interface TauchenOptions {
  /** Width of the grid in unconditional standard deviations (default 3). */
  readonly m?: number;
  /** Constant of the AR(1) (default 0); the grid is centred at mu / (1 - rho). */
  readonly mu?: number;
}

/** Largest number of states {@link tauchen} accepts (the transition matrix has n² entries). */
export const TAUCHEN_MAX_STATES = 1_000;

/**
 * Discretises `y' = mu + rho y + e`, `e ~ N(0, sigma^2)`, into an n-state Markov chain by Tauchen's method.
 *
 * @remarks
 * States: `n` evenly spaced points (numpy `linspace` rule) over `mu/(1-rho) +/- m sigma / sqrt(1 - rho^2)`, step w.
 * Transitions: with `z = (y_k - mu - rho y_j) / sigma`, `P[j][k] = Phi(z + w/(2 sigma)) - Phi(z - w/(2 sigma))`
 * for interior k, `P[j][0] = Phi(z + w/(2 sigma))` and `P[j][n-1] = Phi(-(z - w/(2 sigma)))` (the upper tail by
 * symmetry, without cancellation). Rows sum to 1 up to rounding.
 *
 * Reference: G. Tauchen, "Finite state Markov-chain approximations to univariate and vector autoregressions",
 * Economics Letters 20(2), 1986, 177-181, doi:10.1016/0165-1765(86)90168-0.
 *
 * @param n - number of states, integer in [2, {@link TAUCHEN_MAX_STATES}].
 * @param rho - autocorrelation, |rho| < 1.
 * @param sigma - innovation standard deviation, > 0.
 * @param opts - `m` (> 0, default 3), `mu` (default 0).
 * @returns the states and the transition matrix.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE / ALLOT_NOT_FINITE for bad parameters.
 * @example
 * ```ts
 * tauchen(5, 0.9, 0.1).values[4]; // 3 * 0.1 / sqrt(1 - 0.81) = 0.6882...
 * ```
 */
export function tauchen(n: number, rho: number, sigma: number, opts: TauchenOptions = {}): MarkovChain {
  assertInteger('n', n, 2, TAUCHEN_MAX_STATES);
  assertFinite('rho', rho);
  if (!(Math.abs(rho) < 1)) throw new AllotError('ALLOT_OUT_OF_RANGE', `rho must be in (-1, 1) (got ${rho})`);
  assertPositive('sigma', sigma);
  const m = opts.m ?? 3;
  assertPositive('m', m);
  const mu = opts.mu ?? 0;
  assertFinite('mu', mu);
  const sd = sigma / Math.sqrt(1 - rho * rho);
  const centre = mu / (1 - rho);
  // The grid spans centre ± m·sd; its ends, its step and (x - mean)/sigma must all be finite numbers.
  const lo = centre - m * sd;
  const hi = centre + m * sd;
  if (
    !(Number.isFinite(lo) && Number.isFinite(hi) && Number.isFinite(hi - lo) && (hi - lo) / sigma < 1e300)
  ) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `sigma, m and mu give a grid centre ± m·sigma/sqrt(1 - rho^2) that is not a finite number range ` +
        `(got sigma ${sigma}, m ${m}, mu ${mu}, rho ${rho})`,
    );
  }
  if (!(hi - lo > 0)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `sigma is too small for the grid to have distinct states (got sigma ${sigma}, centre ${centre})`,
    );
  }
  const values = linspace(centre - m * sd, centre + m * sd, n);
  const half = (values[1]! - values[0]!) / 2;
  const transition = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const mean = mu + rho * values[j]!;
    for (let k = 0; k < n; k++) {
      const up = (values[k]! - mean + half) / sigma;
      const lo = (values[k]! - mean - half) / sigma;
      let p: number;
      if (k === 0) p = normalCdf(up);
      else if (k === n - 1) p = normalCdf(-lo);
      else p = lo > 0 ? normalCdf(-lo) - normalCdf(-up) : normalCdf(up) - normalCdf(lo);
      transition[j * n + k] = p;
    }
  }
  return { values, transition, n };
}

/**
 * Rows of a row-major square matrix as nested arrays (for JSON output and configs).
 *
 * @param n - order.
 * @param a - row-major n x n.
 * @returns `a` as `number[][]`.
 */
export function matrixRows(n: number, a: Float64Array): number[][] {
  const rows: number[][] = [];
  for (let j = 0; j < n; j++) rows.push(Array.from(a.subarray(j * n, (j + 1) * n)));
  return rows;
}

/**
 * The stationary distribution of a Markov chain (power iteration from the uniform distribution, to 1e-14 in L1 or
 * 100 000 steps).
 *
 * @param n - number of states.
 * @param p - row-major transition matrix (rows sum to 1).
 * @returns pi with pi P = pi, sum 1.
 */
export function stationaryDistribution(n: number, p: Float64Array): Float64Array {
  let pi = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  for (let it = 0; it < 100_000; it++) {
    next.fill(0);
    for (let j = 0; j < n; j++) {
      const w = pi[j]!;
      for (let k = 0; k < n; k++) next[k] = next[k]! + w * p[j * n + k]!;
    }
    let s = 0;
    for (let k = 0; k < n; k++) s += next[k]!;
    let diff = 0;
    for (let k = 0; k < n; k++) {
      next[k] = next[k]! / s;
      diff += Math.abs(next[k]! - pi[k]!);
    }
    const t = pi;
    pi = next;
    next = t;
    if (diff < 1e-14) break;
  }
  return pi;
}
