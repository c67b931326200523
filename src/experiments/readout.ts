/**
 * The A/B readout at the user level: test/control - 1 for a ratio metric, with a 95 % confidence interval by the
 * delta method.
 */
import { AllotError } from '../core/errors.js';

/** A lift estimate: test/control - 1 and its 95 % interval (null when undefined, e.g. no active users). */
export interface Lift {
  readonly estimate: number | null;
  readonly ci95: [number | null, number | null];
  /** Standard error of the estimate (delta method). */
  readonly se: number | null;
}

/** A ratio estimate R = sum(y) / sum(x) over users and its delta-method variance. */
export interface RatioEstimate {
  readonly ratio: number;
  readonly variance: number;
  readonly n: number;
}

/**
 * Kernel: the ratio-of-sums estimate over users and its delta-method (linearisation) variance.
 *
 * @remarks
 * R = sum_i y_i / sum_i x_i; Var(R) ~ sum_i (y_i - R x_i)^2 / ((n - 1) n xbar^2) (Deng, Knoblich and Lu 2018).
 * With x_i = 1 this is the mean of y and its squared standard error. Users are the unit: their days, plays and
 * impressions are summed into (y_i, x_i) first.
 * References: A. Deng, U. Knoblich, J. Lu, "Applying the delta method in metric analytics", KDD 2018.
 * arXiv:1803.06336.
 *
 * @param n - number of users.
 * @param y - numerator per user (read at indices[0..n) when given, else 0..n).
 * @param x - denominator per user (same indexing).
 * @returns the ratio (NaN when sum x = 0) and its variance (NaN when n < 2).
 */
export function ratioEstimate(n: number, y: ArrayLike<number>, x: ArrayLike<number>): RatioEstimate {
  let sy = 0;
  let sx = 0;
  for (let i = 0; i < n; i++) {
    sy += y[i]!;
    sx += x[i]!;
  }
  if (!(sx > 0)) return { ratio: Number.NaN, variance: Number.NaN, n };
  const r = sy / sx;
  if (n < 2) return { ratio: r, variance: Number.NaN, n };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i]! - r * x[i]!;
    ss += e * e;
  }
  const xbar = sx / n;
  return { ratio: r, variance: ss / ((n - 1) * n * xbar * xbar), n };
}

/**
 * The lift test/control - 1 of two ratio estimates with a 95 % delta-method interval.
 *
 * @remarks
 * L = R_t / R_c - 1, Var(L) ~ (R_t/R_c)^2 (Var R_t / R_t^2 + Var R_c / R_c^2) (independent groups), interval
 * L +- 1.959964 sqrt(Var L). Undefined pieces are null.
 *
 * @param test - the test group's ratio estimate.
 * @param control - the control group's ratio estimate.
 * @returns the lift.
 */
export function liftFromRatios(test: RatioEstimate, control: RatioEstimate): Lift {
  if (!(Number.isFinite(test.ratio) && Number.isFinite(control.ratio) && control.ratio !== 0)) {
    return { estimate: null, ci95: [null, null], se: null };
  }
  const q = test.ratio / control.ratio;
  const est = q - 1;
  const relVar =
    (test.ratio !== 0 ? test.variance / (test.ratio * test.ratio) : Number.NaN) +
    control.variance / (control.ratio * control.ratio);
  const v = q * q * relVar;
  if (!Number.isFinite(v)) return { estimate: est, ci95: [null, null], se: null };
  const se = Math.sqrt(v);
  return { estimate: est, ci95: [est - 1.959963984540054 * se, est + 1.959963984540054 * se], se };
}

/**
 * User-level lift of a ratio metric, test/control - 1, with a 95 % delta-method interval.
 *
 * @param test - per-user numerators `y` and denominators `x` of the test group (same length).
 * @param control - the same for the control group.
 * @returns the lift (nulls when undefined).
 * @throws ALLOT_SHAPE_MISMATCH when y and x differ in length.
 */
export function userLevelLift(
  test: { readonly y: ArrayLike<number>; readonly x: ArrayLike<number> },
  control: { readonly y: ArrayLike<number>; readonly x: ArrayLike<number> },
): Lift {
  for (const [name, g] of [
    ['test', test],
    ['control', control],
  ] as const) {
    if (g.y.length !== g.x.length) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `${name}.y and ${name}.x must have the same length (got ${g.y.length} and ${g.x.length})`,
      );
    }
  }
  return liftFromRatios(
    ratioEstimate(test.y.length, test.y, test.x),
    ratioEstimate(control.y.length, control.y, control.x),
  );
}
