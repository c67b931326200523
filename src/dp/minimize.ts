/** Bounded scalar minimisation: Brent's method with scipy `fminbound` / `minimize_scalar(method='bounded')` semantics. */
import { AllotError } from '../core/errors.js';
import { assertFinite, assertInteger, assertPositive } from '../core/validate.js';

/** Result of {@link minimizeBounded}. */
export interface BoundedMinimum {
  /** The minimiser found. */
  readonly x: number;
  /** f(x). */
  readonly fun: number;
  /** Number of function evaluations (the first one included). */
  readonly nfev: number;
  /** 0: converged (xatol met); 1: evaluation cap reached; 2: NaN met. */
  readonly status: 0 | 1 | 2;
  /** status === 0. */
  readonly success: boolean;
}

/** Options of {@link minimizeBounded}. */
export interface BoundedMinimizeOptions {
  /** Absolute tolerance on x (default 1e-5, scipy's). */
  readonly xatol?: number;
  /** Cap on function evaluations, the first included (default 500, scipy's `maxiter`). */
  readonly maxiter?: number;
}

/** (3 - sqrt 5) / 2, computed as scipy does. */
const GOLDEN = 0.5 * (3.0 - Math.sqrt(5.0));
/** sqrt(2.2e-16): scipy's literal, not the machine epsilon. */
const SQRT_EPS = Math.sqrt(2.2e-16);

/**
 * Brent's bounded minimisation kernel (internal, no validation, no allocation): minimises `f` on `[lo, hi]` and
 * writes `out[0] = x`, `out[1] = f(x)`, `out[2] = nfev`, `out[3] = status`.
 *
 * @remarks A line-by-line port of scipy 1.10 `_minimize_scalar_bounded` (see {@link minimizeBounded}).
 */
export function brentBounded(
  f: (x: number) => number,
  lo: number,
  hi: number,
  xatol: number,
  maxiter: number,
  out: Float64Array,
): void {
  let a = lo;
  let b = hi;
  let fulc = a + GOLDEN * (b - a);
  let nfc = fulc;
  let xf = fulc;
  let rat = 0;
  let e = 0;
  let x = xf;
  let fx = f(x);
  let num = 1;
  let fu = Number.POSITIVE_INFINITY;
  let ffulc = fx;
  let fnfc = fx;
  let xm = 0.5 * (a + b);
  let tol1 = SQRT_EPS * Math.abs(xf) + xatol / 3.0;
  let tol2 = 2.0 * tol1;
  let status = 0;
  while (Math.abs(xf - xm) > tol2 - 0.5 * (b - a)) {
    let golden = true;
    if (Math.abs(e) > tol1) {
      golden = false;
      let r = (xf - nfc) * (fx - ffulc);
      let q = (xf - fulc) * (fx - fnfc);
      let p = (xf - fulc) * q - (xf - nfc) * r;
      q = 2.0 * (q - r);
      if (q > 0.0) p = -p;
      q = Math.abs(q);
      r = e;
      e = rat;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - xf) && p < q * (b - xf)) {
        rat = (p + 0.0) / q;
        x = xf + rat;
        if (x - a < tol2 || b - x < tol2) {
          const dm = xm - xf;
          const si = Math.sign(dm) + (dm === 0 ? 1 : 0);
          rat = tol1 * si;
        }
      } else {
        golden = true;
      }
    }
    if (golden) {
      e = xf >= xm ? a - xf : b - xf;
      rat = GOLDEN * e;
    }
    const si = Math.sign(rat) + (rat === 0 ? 1 : 0);
    x = xf + si * Math.max(Math.abs(rat), tol1);
    fu = f(x);
    num += 1;
    if (fu <= fx) {
      if (x >= xf) a = xf;
      else b = xf;
      fulc = nfc;
      ffulc = fnfc;
      nfc = xf;
      fnfc = fx;
      xf = x;
      fx = fu;
    } else {
      if (x < xf) a = x;
      else b = x;
      if (fu <= fnfc || nfc === xf) {
        fulc = nfc;
        ffulc = fnfc;
        nfc = x;
        fnfc = fu;
      } else if (fu <= ffulc || fulc === xf || fulc === nfc) {
        fulc = x;
        ffulc = fu;
      }
    }
    xm = 0.5 * (a + b);
    tol1 = SQRT_EPS * Math.abs(xf) + xatol / 3.0;
    tol2 = 2.0 * tol1;
    if (num >= maxiter) {
      status = 1;
      break;
    }
  }
  if (Number.isNaN(xf) || Number.isNaN(fx) || Number.isNaN(fu)) status = 2;
  out[0] = xf;
  out[1] = fx;
  out[2] = num;
  out[3] = status;
}

/**
 * Minimises a function of one variable on a closed interval by Brent's method (golden-section search combined with
 * successive parabolic interpolation), with scipy's `fminbound` semantics.
 *
 * @remarks
 * Starts at `x = lo + c (hi - lo)`, `c = (3 - sqrt 5)/2`; each step is a parabolic step through the three best
 * points when it falls inside the bracket and shrinks the step sufficiently, else a golden-section step into the
 * larger part of the bracket; no step is shorter than `tol1 = sqrt(2.2e-16)|x| + xatol/3`. Stops when
 * `|x - (a+b)/2| <= 2 tol1 - (b-a)/2` or after `maxiter` evaluations (status 1). Never evaluates outside `[lo, hi]`.
 * Same steps, same evaluation count and, for the same `f`, the same floating-point result as scipy 1.10
 * `minimize_scalar(f, bounds=(lo, hi), method='bounded')`.
 *
 * References: R. P. Brent, Algorithms for Minimization without Derivatives, Prentice-Hall 1973, ch. 5;
 * G. E. Forsythe, M. A. Malcolm and C. B. Moler, Computer Methods for Mathematical Computations, Prentice-Hall 1977
 * (FMIN).
 *
 * @param f - the objective; called with points in [lo, hi].
 * @param lo - lower bound (finite).
 * @param hi - upper bound (finite, >= lo).
 * @param opts - `xatol` (> 0, default 1e-5), `maxiter` (integer >= 1, default 500).
 * @returns the minimiser, its value, the evaluation count and a status.
 * @throws ALLOT_NOT_FINITE (bounds), ALLOT_INVALID_ARGUMENT (lo > hi, bad maxiter), ALLOT_OUT_OF_RANGE (xatol <= 0).
 * @example
 * ```ts
 * minimizeBounded((x) => (x - 2) ** 2, 0, 5).x; // 2 within 1e-5
 * ```
 */
export function minimizeBounded(
  f: (x: number) => number,
  lo: number,
  hi: number,
  opts: BoundedMinimizeOptions = {},
): BoundedMinimum {
  assertFinite('lo', lo);
  assertFinite('hi', hi);
  if (lo > hi)
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `lo must be <= hi (got lo = ${lo}, hi = ${hi})`);
  const xatol = opts.xatol ?? 1e-5;
  const maxiter = opts.maxiter ?? 500;
  assertPositive('xatol', xatol);
  assertInteger('maxiter', maxiter, 1);
  const out = new Float64Array(4);
  brentBounded(f, lo, hi, xatol, maxiter, out);
  const status = out[3]! as 0 | 1 | 2;
  return { x: out[0]!, fun: out[1]!, nfev: out[2]!, status, success: status === 0 };
}
