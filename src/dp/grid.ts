/** Grids for the dp domain: numpy's `linspace` rule, bit for bit. */
import { AllotError } from '../core/errors.js';
import { assertFinite, assertInteger } from '../core/validate.js';

/**
 * `n` evenly spaced points from `lo` to `hi` inclusive, computed exactly as `numpy.linspace(lo, hi, n)`.
 *
 * @remarks
 * With `step = (hi - lo) / (n - 1)`, `x[i] = i * step + lo` for `i < n - 1` and `x[n - 1] = hi` exactly. Using numpy's
 * rule (rather than `lo + i * (hi - lo) / (n - 1)`) makes the grid of the cake-eating notebook identical to the last
 * bit, which the reproduction of its printed numbers relies on.
 *
 * @param lo - first point (finite).
 * @param hi - last point (finite).
 * @param n - number of points, an integer >= 1 (n = 1 gives `[lo]`).
 * @returns a Float64Array of length `n`.
 * @throws ALLOT_NOT_FINITE for a non-finite bound; ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE for a bad `n`.
 * @example
 * ```ts
 * linspace(0.1, 10, 30)[10]; // 3.513793103448276 (the notebook's W_vec[10])
 * ```
 */
export function linspace(lo: number, hi: number, n: number): Float64Array {
  assertFinite('lo', lo);
  assertFinite('hi', hi);
  assertInteger('n', n, 1);
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = lo;
    return out;
  }
  const step = (hi - lo) / (n - 1);
  if (!Number.isFinite(step))
    throw new AllotError('ALLOT_NOT_FINITE', `linspace step is not finite (got ${step})`);
  for (let i = 0; i < n - 1; i++) out[i] = i * step + lo;
  out[n - 1] = hi;
  return out;
}
