/**
 * One-dimensional interpolation on a strictly increasing grid: cubic spline with the not-a-knot condition (exactly
 * what scipy's `interp1d(kind='cubic')` builds), natural cubic spline, monotone piecewise cubic Hermite (PCHIP) and
 * piecewise linear. An interpolant is plain data over Float64Arrays: build it once, refit it in place when only the
 * values change (no allocation), evaluate it at many points without allocation.
 */
import { AllotError } from '../core/errors.js';
import { assertOneOf, show, toFiniteArray } from '../core/validate.js';

/** The interpolation methods. */
export type InterpolationKind = 'cubic' | 'natural' | 'pchip' | 'linear';
/** What happens outside `[x[0], x[n-1]]`: continue the end polynomial (default) or hold the end value. */
export type Extrapolation = 'extrapolate' | 'clamp';

/** All interpolation kinds, in documentation order. */
export const INTERPOLATION_KINDS: readonly InterpolationKind[] = ['cubic', 'natural', 'pchip', 'linear'];
/** All extrapolation modes. */
export const EXTRAPOLATIONS: readonly Extrapolation[] = ['extrapolate', 'clamp'];

/**
 * An interpolant as plain data.
 *
 * - `cubic`: a cubic B-spline with knots `x0,x0,x0,x0,x2,...,x[n-3],x[n-1]` x4 (`knots`, length n+4) and `n`
 *   coefficients (`coef`); `lu`/`ipiv` hold the banded LU factors of the collocation matrix, which depends on the grid
 *   only, so a refit is one banded solve.
 * - `natural`, `pchip`: piecewise cubics in local power form, `coef[4i..4i+3] = a0..a3` with
 *   `p(x) = a0 + d(a1 + d(a2 + d a3))`, `d = x - x[i]`, on interval i (n-1 intervals).
 * - `linear`: `coef[2i..2i+1]` = value at `x[i]` and slope on interval i.
 */
export interface Interpolant {
  readonly kind: InterpolationKind;
  readonly extrapolation: Extrapolation;
  /** Number of data points. */
  readonly n: number;
  /** The grid (a private copy). */
  readonly x: Float64Array;
  /** Knot vector (cubic only; empty otherwise). */
  readonly knots: Float64Array;
  /** Coefficients (layout depends on `kind`, see above). */
  readonly coef: Float64Array;
  /** Banded LU factors of the collocation matrix (cubic only), LAPACK band storage with 10 rows. */
  readonly lu: Float64Array;
  /** Row interchanges of the banded LU (cubic only). */
  readonly ipiv: Int32Array;
  /** Workspace for refits (natural: the tridiagonal sweep). */
  readonly work: Float64Array;
}

/** Options of {@link createInterpolant}. */
export interface InterpolantOptions {
  /** Method (default `'cubic'`, not-a-knot). */
  readonly kind?: InterpolationKind;
  /** Outside the grid (default `'extrapolate'`). */
  readonly extrapolation?: Extrapolation;
}

/** Minimum number of points per kind. */
const MIN_POINTS: Readonly<Record<InterpolationKind, number>> = { cubic: 4, natural: 3, pchip: 2, linear: 2 };

/** Band layout of the cubic collocation matrix: kl = ku = 3, LAPACK `ldab = 2 kl + ku + 1`. */
const KL = 3;
const KU = 3;
const LDAB = 2 * KL + KU + 1;

/**
 * Builds an interpolant of `y` on the strictly increasing grid `x`.
 *
 * @remarks
 * `cubic` is the not-a-knot cubic spline in B-spline form, built as scipy 1.10 `make_interp_spline(x, y, k=3)` does
 * (the spline behind `interp1d(kind='cubic')`): knots `x[0]` x4, `x[2..n-3]`, `x[n-1]` x4, so the first two and the
 * last two intervals are one cubic each; coefficients from the collocation system solved by LAPACK's banded LU with
 * partial pivoting (`dgbtf2`/`dgbtrs`), ported operation for operation; evaluation by the de Boor–Cox recursion with
 * scipy's interval rule. `natural` has zero second derivative at both ends. `pchip` is the Fritsch–Carlson monotone
 * cubic with scipy's `PchipInterpolator` slopes (weighted harmonic mean, one-sided three-point end slopes). With
 * `'extrapolate'` the end polynomial pieces continue outside the grid (scipy's `fill_value='extrapolate'`); with
 * `'clamp'` the end values are held.
 *
 * References: C. de Boor, A Practical Guide to Splines, Springer 1978/2001; F. N. Fritsch and R. E. Carlson,
 * "Monotone piecewise cubic interpolation", SIAM J. Numer. Anal. 17(2), 1980, doi:10.1137/0717021.
 *
 * @param x - grid, strictly increasing, length n >= 4 (cubic), 3 (natural), 2 (pchip, linear).
 * @param y - values at the grid points, length n, finite.
 * @param opts - kind and extrapolation.
 * @returns the interpolant (plain data; evaluate with {@link evaluateInterpolant}).
 * @throws ALLOT_NOT_FINITE (non-finite entry), ALLOT_SHAPE_MISMATCH (lengths differ or too few points),
 *   ALLOT_INVALID_ARGUMENT (grid not strictly increasing), ALLOT_UNKNOWN_OPTION (unknown kind).
 * @example
 * ```ts
 * const s = createInterpolant([0, 1, 2, 3], [0, 1, 8, 27]);
 * evaluateInterpolant(s, 1.5); // 3.375 (a cubic is reproduced exactly)
 * ```
 */
export function createInterpolant(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: InterpolantOptions = {},
): Interpolant {
  const kind = assertOneOf('interpolation', opts.kind ?? 'cubic', INTERPOLATION_KINDS);
  const extrapolation = assertOneOf('extrapolation', opts.extrapolation ?? 'extrapolate', EXTRAPOLATIONS);
  const xs = toFiniteArray('x', x);
  const ys = toFiniteArray('y', y);
  const n = xs.length;
  if (ys.length !== n) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `x and y must have the same length (got ${n} and ${ys.length})`,
    );
  }
  const min = MIN_POINTS[kind];
  if (n < min) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${kind} interpolation needs at least ${min} points (got ${n})`,
    );
  }
  assertStrictlyIncreasing('x', xs);
  const s = allocateInterpolant(kind, extrapolation, xs);
  fitInterpolant(s, ys);
  return s;
}

/**
 * Refits an interpolant to new values on the same grid, in place and without allocation.
 *
 * @param s - an interpolant from {@link createInterpolant}.
 * @param y - new values, length `s.n`, finite.
 * @throws ALLOT_SHAPE_MISMATCH (wrong length), ALLOT_NOT_FINITE (non-finite value).
 */
export function refitInterpolant(s: Interpolant, y: ArrayLike<number>): void {
  if (y.length !== s.n) {
    throw new AllotError('ALLOT_SHAPE_MISMATCH', `y must have length ${s.n} (got ${y.length})`);
  }
  for (let i = 0; i < s.n; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v))
      throw new AllotError('ALLOT_NOT_FINITE', `y[${i}] must be finite (got ${show(v)})`);
  }
  fitInterpolant(s, y);
}

/** Asserts a Float64Array is strictly increasing. */
export function assertStrictlyIncreasing(name: string, xs: Float64Array): void {
  for (let i = 1; i < xs.length; i++) {
    if (!(xs[i]! > xs[i - 1]!)) {
      throw new AllotError(
        'ALLOT_INVALID_ARGUMENT',
        `${name} must be strictly increasing (got ${name}[${i - 1}] = ${xs[i - 1]} and ${name}[${i}] = ${xs[i]})`,
      );
    }
  }
}

/**
 * Allocates an interpolant's storage for a validated grid (internal; the grid must be strictly increasing with
 * enough points). For `cubic` the collocation matrix is factored here, once.
 */
export function allocateInterpolant(
  kind: InterpolationKind,
  extrapolation: Extrapolation,
  xs: Float64Array,
): Interpolant {
  const n = xs.length;
  const x = Float64Array.from(xs);
  if (kind === 'cubic') {
    const knots = notAKnotKnots(x);
    const lu = new Float64Array(LDAB * n);
    const ipiv = new Int32Array(n);
    collocationBand(x, knots, lu);
    const info = dgbtf2(n, KL, KU, lu, ipiv);
    if (info !== 0) {
      throw new AllotError(
        'ALLOT_DEGENERATE',
        `cubic spline collocation matrix is singular (column ${info})`,
      );
    }
    return {
      kind,
      extrapolation,
      n,
      x,
      knots,
      coef: new Float64Array(n),
      lu,
      ipiv,
      work: new Float64Array(0),
    };
  }
  const coefLen = kind === 'linear' ? 2 * (n - 1) : 4 * (n - 1);
  return {
    kind,
    extrapolation,
    n,
    x,
    knots: new Float64Array(0),
    coef: new Float64Array(coefLen),
    lu: new Float64Array(0),
    ipiv: new Int32Array(0),
    work: new Float64Array(kind === 'natural' ? 3 * n : kind === 'pchip' ? 2 * n : 0),
  };
}

/** Fits coefficients in place (internal; `y` has length `s.n` and is finite). No allocation. */
export function fitInterpolant(s: Interpolant, y: ArrayLike<number>): void {
  switch (s.kind) {
    case 'cubic':
      fitNotAKnot(s, y);
      return;
    case 'natural':
      fitNatural(s, y);
      return;
    case 'pchip':
      fitPchip(s, y);
      return;
    case 'linear':
      fitLinear(s, y);
      return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Not-a-knot cubic spline in B-spline form (scipy make_interp_spline, k = 3).

function notAKnotKnots(x: Float64Array): Float64Array {
  const n = x.length;
  const t = new Float64Array(n + 4);
  for (let i = 0; i < 4; i++) {
    t[i] = x[0]!;
    t[n + i] = x[n - 1]!;
  }
  for (let i = 2; i <= n - 3; i++) t[i + 2] = x[i]!;
  return t;
}

/**
 * scipy's interval rule for a spline of degree 3 with `m` coefficients: the l in [3, m-1] with
 * `t[l] <= xv < t[l+1]`, 3 below the base interval, m-1 at and above its right end (and 3 for NaN).
 */
function findInterval(t: Float64Array, m: number, xv: number): number {
  let lo = 3;
  let hi = m - 1;
  if (!(xv >= t[4]!)) return 3;
  if (xv >= t[hi]!) return hi;
  // invariant: t[lo] <= xv < t[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xv >= t[mid]!) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The four non-zero cubic B-splines at xv on interval l (de Boor–Cox, scipy's `_deBoor_D` with nu = 0). */
function basis(t: Float64Array, l: number, xv: number, h: Float64Array): void {
  // j = 1
  let w = 1 / (t[l + 1]! - t[l]!);
  let h0 = w * (t[l + 1]! - xv);
  let h1 = w * (xv - t[l]!);
  // j = 2
  let hh0 = h0;
  let hh1 = h1;
  w = hh0 / (t[l + 1]! - t[l - 1]!);
  h0 = w * (t[l + 1]! - xv);
  h1 = w * (xv - t[l - 1]!);
  w = hh1 / (t[l + 2]! - t[l]!);
  h1 += w * (t[l + 2]! - xv);
  let h2 = w * (xv - t[l]!);
  // j = 3
  hh0 = h0;
  hh1 = h1;
  const hh2 = h2;
  w = hh0 / (t[l + 1]! - t[l - 2]!);
  h0 = w * (t[l + 1]! - xv);
  h1 = w * (xv - t[l - 2]!);
  w = hh1 / (t[l + 2]! - t[l - 1]!);
  h1 += w * (t[l + 2]! - xv);
  h2 = w * (xv - t[l - 1]!);
  w = hh2 / (t[l + 3]! - t[l]!);
  h2 += w * (t[l + 3]! - xv);
  const h3 = w * (xv - t[l]!);
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
}

/** Collocation matrix A[j][a] = B_a(x[j]) in LAPACK band storage (column-major, ldab = 10). */
function collocationBand(x: Float64Array, t: Float64Array, ab: Float64Array): void {
  const n = x.length;
  const h = new Float64Array(4);
  ab.fill(0);
  for (let j = 0; j < n; j++) {
    const l = findInterval(t, n, x[j]!);
    basis(t, l, x[j]!, h);
    for (let a = l - 3; a <= l; a++) ab[KL + KU + j - a + a * LDAB] = h[a - (l - 3)]!;
  }
}

/**
 * LAPACK `dgbtf2` (unblocked banded LU with partial pivoting), reference implementation, 0-based flat storage.
 * Returns INFO (0 on success, j >= 1 when U(j,j) is exactly zero).
 */
function dgbtf2(n: number, kl: number, ku: number, ab: Float64Array, ipiv: Int32Array): number {
  const ldab = 2 * kl + ku + 1;
  const kv = ku + kl;
  // 1-based helpers: AB(i, j) is ab[(i - 1) + (j - 1) * ldab].
  const at = (i: number, j: number): number => i - 1 + (j - 1) * ldab;
  let info = 0;
  for (let j = ku + 2; j <= Math.min(kv, n); j++) {
    for (let i = kv - j + 2; i <= kl; i++) ab[at(i, j)] = 0;
  }
  let ju = 1;
  for (let j = 1; j <= n; j++) {
    if (j + kv <= n) for (let i = 1; i <= kl; i++) ab[at(i, j + kv)] = 0;
    const km = Math.min(kl, n - j);
    // IDAMAX over AB(kv+1 .. kv+1+km, j): first index of the largest magnitude.
    let jp = 1;
    let best = Math.abs(ab[at(kv + 1, j)]!);
    for (let i = 2; i <= km + 1; i++) {
      const v = Math.abs(ab[at(kv + i, j)]!);
      if (v > best) {
        best = v;
        jp = i;
      }
    }
    ipiv[j - 1] = jp + j - 1;
    if (ab[at(kv + jp, j)] !== 0) {
      ju = Math.max(ju, Math.min(j + ku + jp - 1, n));
      if (jp !== 1) {
        // DSWAP(ju-j+1, AB(kv+jp, j), ldab-1, AB(kv+1, j), ldab-1)
        let p = at(kv + jp, j);
        let q = at(kv + 1, j);
        for (let c = 0; c <= ju - j; c++) {
          const tmp = ab[p]!;
          ab[p] = ab[q]!;
          ab[q] = tmp;
          p += ldab - 1;
          q += ldab - 1;
        }
      }
      if (km > 0) {
        const r = 1 / ab[at(kv + 1, j)]!;
        const xo = at(kv + 2, j);
        for (let i = 0; i < km; i++) ab[xo + i] = ab[xo + i]! * r;
        if (ju > j) {
          // DGER(km, ju-j, -1, x = AB(kv+2, j) inc 1, y = AB(kv, j+1) inc ldab-1, A = AB(kv+1, j+1) lda ldab-1)
          const yo = at(kv, j + 1);
          const ao = at(kv + 1, j + 1);
          for (let c = 0; c < ju - j; c++) {
            const yv = ab[yo + c * (ldab - 1)]!;
            if (yv !== 0) {
              const temp = -yv;
              const col = ao + c * (ldab - 1);
              for (let i = 0; i < km; i++) ab[col + i] = ab[col + i]! + ab[xo + i]! * temp;
            }
          }
        }
      }
    } else if (info === 0) {
      info = j;
    }
  }
  return info;
}

/** LAPACK `dgbtrs` ('N', one right-hand side) on the factors of {@link dgbtf2}; b is overwritten with the solution. */
function dgbtrs(
  n: number,
  kl: number,
  ku: number,
  ab: Float64Array,
  ipiv: Int32Array,
  b: Float64Array,
): void {
  const ldab = 2 * kl + ku + 1;
  const kd = ku + kl + 1;
  // L solve with the row interchanges.
  for (let j = 1; j <= n - 1; j++) {
    const lm = Math.min(kl, n - j);
    const l = ipiv[j - 1]!;
    if (l !== j) {
      const tmp = b[l - 1]!;
      b[l - 1] = b[j - 1]!;
      b[j - 1] = tmp;
    }
    const yv = b[j - 1]!;
    if (yv !== 0) {
      const temp = -yv;
      const xo = kd + (j - 1) * ldab; // AB(kd+1, j), 0-based row kd
      for (let i = 0; i < lm; i++) b[j + i] = b[j + i]! + ab[xo + i]! * temp;
    }
  }
  // DTBSV('U', 'N', 'N', n, kl+ku, ab, ldab, b, 1)
  const k = kl + ku;
  for (let j = n; j >= 1; j--) {
    if (b[j - 1] !== 0) {
      const l = k + 1 - j;
      b[j - 1] = b[j - 1]! / ab[k + (j - 1) * ldab]!; // A(k+1, j), 0-based row k
      const temp = b[j - 1]!;
      for (let i = j - 1; i >= Math.max(1, j - k); i--) {
        b[i - 1] = b[i - 1]! - temp * ab[l + i - 1 + (j - 1) * ldab]!;
      }
    }
  }
}

function fitNotAKnot(s: Interpolant, y: ArrayLike<number>): void {
  const c = s.coef;
  for (let i = 0; i < s.n; i++) c[i] = y[i]!;
  dgbtrs(s.n, KL, KU, s.lu, s.ipiv, c);
}

/**
 * Value of the not-a-knot B-spline with knots `t` and `m` coefficients `c` at `xv`, extrapolated (internal kernel
 * behind {@link evaluateInterpolant}; no validation, no allocation).
 */
export function evalNotAKnot(t: Float64Array, c: Float64Array, m: number, xv: number): number {
  const l = findInterval(t, m, xv);
  // De Boor–Cox recursion inlined (see basis()); same operations in the same order as scipy's _deBoor_D.
  const t0 = t[l]!;
  const t1 = t[l + 1]!;
  let w = 1 / (t1 - t0);
  let h0 = w * (t1 - xv);
  let h1 = w * (xv - t0);
  const tm1 = t[l - 1]!;
  const t2 = t[l + 2]!;
  let hh0 = h0;
  let hh1 = h1;
  w = hh0 / (t1 - tm1);
  h0 = w * (t1 - xv);
  h1 = w * (xv - tm1);
  w = hh1 / (t2 - t0);
  h1 += w * (t2 - xv);
  let h2 = w * (xv - t0);
  const tm2 = t[l - 2]!;
  const t3 = t[l + 3]!;
  hh0 = h0;
  hh1 = h1;
  const hh2 = h2;
  w = hh0 / (t1 - tm2);
  h0 = w * (t1 - xv);
  h1 = w * (xv - tm2);
  w = hh1 / (t2 - tm1);
  h1 += w * (t2 - xv);
  h2 = w * (xv - tm1);
  w = hh2 / (t3 - t0);
  h2 += w * (t3 - xv);
  const h3 = w * (xv - t0);
  let sum = 0;
  sum += c[l - 3]! * h0;
  sum += c[l - 2]! * h1;
  sum += c[l - 1]! * h2;
  sum += c[l]! * h3;
  return sum;
}

/** nu-th derivative of the B-spline (scipy `_deBoor_D` with nu >= 1). */
const DH = new Float64Array(4);
const DHH = new Float64Array(4);

function derivNotAKnot(s: Interpolant, xv: number, nu: number): number {
  return derivBSpline(s.knots, s.coef, s.n, xv, nu);
}

function derivBSpline(t: Float64Array, c: Float64Array, m: number, xv: number, nu: number): number {
  const k = 3;
  const l = findInterval(t, m, xv);
  const h = DH;
  const hh = DHH;
  h.fill(0);
  h[0] = 1;
  for (let j = 1; j <= k - nu; j++) {
    for (let q = 0; q < j; q++) hh[q] = h[q]!;
    h[0] = 0;
    for (let q = 1; q <= j; q++) {
      const xb = t[l + q]!;
      const xa = t[l + q - j]!;
      if (xb === xa) {
        h[q] = 0;
        continue;
      }
      const w = hh[q - 1]! / (xb - xa);
      h[q - 1] = h[q - 1]! + w * (xb - xv);
      h[q] = w * (xv - xa);
    }
  }
  for (let j = k - nu + 1; j <= k; j++) {
    for (let q = 0; q < j; q++) hh[q] = h[q]!;
    h[0] = 0;
    for (let q = 1; q <= j; q++) {
      const xb = t[l + q]!;
      const xa = t[l + q - j]!;
      if (xb === xa) {
        h[q] = 0;
        continue;
      }
      const w = (j * hh[q - 1]!) / (xb - xa);
      h[q - 1] = h[q - 1]! - w;
      h[q] = w;
    }
  }
  let sum = 0;
  for (let a = 0; a <= 3; a++) sum += c[l - 3 + a]! * h[a]!;
  return sum;
}

/**
 * Converts a fitted not-a-knot B-spline to local power form on its knot intervals (internal, no allocation):
 * `pp[4q..4q+3]` are the Taylor coefficients at `t[q+3]` of the piece on `[t[q+3], t[q+4]]`, q = 0..m-4.
 * The same function as the B-spline up to rounding (about 1e-15 relative); evaluated by {@link evalKnotPP}.
 */
export function bsplineToPP(t: Float64Array, c: Float64Array, m: number, pp: Float64Array): void {
  for (let l = 3; l <= m - 1; l++) {
    const x0 = t[l]!;
    const o = 4 * (l - 3);
    pp[o] = evalNotAKnot(t, c, m, x0);
    pp[o + 1] = derivBSpline(t, c, m, x0, 1);
    pp[o + 2] = derivBSpline(t, c, m, x0, 2) / 2;
    pp[o + 3] = derivBSpline(t, c, m, x0, 3) / 6;
  }
}

/** Evaluates the power form of {@link bsplineToPP} at `xv` (end pieces extrapolated), by Horner's rule. */
export function evalKnotPP(t: Float64Array, pp: Float64Array, m: number, xv: number): number {
  const l = findInterval(t, m, xv);
  const d = xv - t[l]!;
  const o = 4 * (l - 3);
  return pp[o]! + d * (pp[o + 1]! + d * (pp[o + 2]! + d * pp[o + 3]!));
}

// ---------------------------------------------------------------------------------------------------------------
// Piecewise cubics in local power form.

function fitNatural(s: Interpolant, y: ArrayLike<number>): void {
  const n = s.n;
  const x = s.x;
  const work = s.work;
  // Second derivatives M (M0 = M[n-1] = 0) from the tridiagonal system, Thomas algorithm.
  const m = work.subarray(0, n);
  const cp = work.subarray(n, 2 * n);
  const dp = work.subarray(2 * n, 3 * n);
  m[0] = 0;
  m[n - 1] = 0;
  cp[0] = 0;
  dp[0] = 0;
  for (let i = 1; i < n - 1; i++) {
    const h0 = x[i]! - x[i - 1]!;
    const h1 = x[i + 1]! - x[i]!;
    const a = h0;
    const b = 2 * (h0 + h1);
    const c = h1;
    const d = 6 * ((y[i + 1]! - y[i]!) / h1 - (y[i]! - y[i - 1]!) / h0);
    const den = b - a * cp[i - 1]!;
    cp[i] = c / den;
    dp[i] = (d - a * dp[i - 1]!) / den;
  }
  for (let i = n - 2; i >= 1; i--) m[i] = dp[i]! - cp[i]! * m[i + 1]!;
  const coef = s.coef;
  for (let i = 0; i < n - 1; i++) {
    const h = x[i + 1]! - x[i]!;
    const slope = (y[i + 1]! - y[i]!) / h;
    coef[4 * i] = y[i]!;
    coef[4 * i + 1] = slope - (h * (2 * m[i]! + m[i + 1]!)) / 6;
    coef[4 * i + 2] = m[i]! / 2;
    coef[4 * i + 3] = (m[i + 1]! - m[i]!) / (6 * h);
  }
}

function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** scipy PchipInterpolator end slope (`_edge_case`). */
function pchipEdge(h0: number, h1: number, m0: number, m1: number): number {
  const d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (sign(d) !== sign(m0)) return 0;
  if (sign(m0) !== sign(m1) && Math.abs(d) > 3 * Math.abs(m0)) return 3 * m0;
  return d;
}

function fitPchip(s: Interpolant, y: ArrayLike<number>): void {
  const n = s.n;
  const x = s.x;
  const d = s.work.subarray(0, n);
  const mk = s.work.subarray(n, 2 * n);
  for (let i = 0; i < n - 1; i++) mk[i] = (y[i + 1]! - y[i]!) / (x[i + 1]! - x[i]!);
  if (n === 2) {
    d[0] = mk[0]!;
    d[1] = mk[0]!;
  } else {
    for (let i = 1; i < n - 1; i++) {
      const m0 = mk[i - 1]!;
      const m1 = mk[i]!;
      if (sign(m0) !== sign(m1) || m0 === 0 || m1 === 0) {
        d[i] = 0;
      } else {
        const h0 = x[i]! - x[i - 1]!;
        const h1 = x[i + 1]! - x[i]!;
        const w1 = 2 * h1 + h0;
        const w2 = h1 + 2 * h0;
        d[i] = 1 / ((w1 / m0 + w2 / m1) / (w1 + w2));
      }
    }
    d[0] = pchipEdge(x[1]! - x[0]!, x[2]! - x[1]!, mk[0]!, mk[1]!);
    d[n - 1] = pchipEdge(x[n - 1]! - x[n - 2]!, x[n - 2]! - x[n - 3]!, mk[n - 2]!, mk[n - 3]!);
  }
  const coef = s.coef;
  for (let i = 0; i < n - 1; i++) {
    const h = x[i + 1]! - x[i]!;
    const m = mk[i]!;
    coef[4 * i] = y[i]!;
    coef[4 * i + 1] = d[i]!;
    coef[4 * i + 2] = (3 * m - 2 * d[i]! - d[i + 1]!) / h;
    coef[4 * i + 3] = (d[i]! + d[i + 1]! - 2 * m) / (h * h);
  }
}

function fitLinear(s: Interpolant, y: ArrayLike<number>): void {
  const x = s.x;
  const coef = s.coef;
  for (let i = 0; i < s.n - 1; i++) {
    coef[2 * i] = y[i]!;
    coef[2 * i + 1] = (y[i + 1]! - y[i]!) / (x[i + 1]! - x[i]!);
  }
}

/** Interval i in [0, n-2] with x[i] <= xv < x[i+1] (0 below, n-2 at and above the right end). */
function findPiece(x: Float64Array, n: number, xv: number): number {
  let lo = 0;
  let hi = n - 1;
  if (!(xv >= x[1]!)) return 0;
  if (xv >= x[n - 2]!) return n - 2;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xv >= x[mid]!) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Value of the interpolant at `xv`. No allocation; O(log n).
 *
 * @param s - the interpolant.
 * @param xv - the point (NaN gives NaN).
 * @returns the interpolated (or extrapolated / clamped) value.
 */
export function evaluateInterpolant(s: Interpolant, xv: number): number {
  const x = s.x;
  const n = s.n;
  if (s.extrapolation === 'clamp') {
    if (xv < x[0]!) xv = x[0]!;
    else if (xv > x[n - 1]!) xv = x[n - 1]!;
  }
  switch (s.kind) {
    case 'cubic':
      return evalNotAKnot(s.knots, s.coef, n, xv);
    case 'linear': {
      const i = findPiece(x, n, xv);
      return s.coef[2 * i]! + (xv - x[i]!) * s.coef[2 * i + 1]!;
    }
    default: {
      const i = findPiece(x, n, xv);
      const d = xv - x[i]!;
      const c = s.coef;
      const o = 4 * i;
      return c[o]! + d * (c[o + 1]! + d * (c[o + 2]! + d * c[o + 3]!));
    }
  }
}

/**
 * Values of the interpolant at many points, written into `out` (no allocation).
 *
 * @param s - the interpolant.
 * @param xs - points.
 * @param out - output, length >= xs.length; a new Float64Array when omitted.
 * @returns `out`.
 */
export function evaluateInterpolantMany(
  s: Interpolant,
  xs: ArrayLike<number>,
  out: Float64Array = new Float64Array(xs.length),
): Float64Array {
  for (let i = 0; i < xs.length; i++) out[i] = evaluateInterpolant(s, xs[i]!);
  return out;
}

/**
 * The `order`-th derivative (0..3) of the interpolant at `xv` (of the polynomial piece used at `xv`; with `'clamp'`
 * the derivatives outside the grid are 0).
 *
 * @param s - the interpolant.
 * @param xv - the point.
 * @param order - 0, 1, 2 or 3.
 * @returns the derivative.
 * @throws ALLOT_INVALID_ARGUMENT for an order outside 0..3.
 */
export function derivativeInterpolant(s: Interpolant, xv: number, order: number): number {
  if (!(order === 0 || order === 1 || order === 2 || order === 3)) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `order must be 0, 1, 2 or 3 (got ${show(order)})`);
  }
  if (order === 0) return evaluateInterpolant(s, xv);
  const x = s.x;
  const n = s.n;
  if (s.extrapolation === 'clamp' && (xv < x[0]! || xv > x[n - 1]!)) return 0;
  if (s.kind === 'cubic') return derivNotAKnot(s, xv, order);
  const i = findPiece(x, n, xv);
  const d = xv - x[i]!;
  if (s.kind === 'linear') return order === 1 ? s.coef[2 * i + 1]! : 0;
  const c = s.coef;
  const o = 4 * i;
  if (order === 1) return c[o + 1]! + d * (2 * c[o + 2]! + 3 * d * c[o + 3]!);
  if (order === 2) return 2 * c[o + 2]! + 6 * d * c[o + 3]!;
  return 6 * c[o + 3]!;
}
