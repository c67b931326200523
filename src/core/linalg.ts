/**
 * Dense linear algebra on row-major `Float64Array`s: what the linear bandits need (Cholesky, triangular solves,
 * Sherman–Morrison rank-one inverse updates, log-determinants). Square n-by-n matrices are stored row-major,
 * entry (i, j) at `i * n + j`. Kernels write into caller-supplied `out` arrays and do not allocate; they trust their
 * preconditions (stated per function). Validation happens at the public boundaries of the domains.
 *
 * References: G. H. Golub and C. F. Van Loan, *Matrix Computations*, 4th ed., Johns Hopkins, 2013 (Alg. 4.2.1
 * Cholesky; §2.1.4 Sherman–Morrison–Woodbury).
 */
import { AllotError } from './errors.js';

/** x · y over the first n entries. */
export function dot(n: number, x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]! * y[i]!;
  return s;
}

/** out = A x for an m-by-n row-major A. `out` must not alias `x`. */
export function matVec(
  m: number,
  n: number,
  a: ArrayLike<number>,
  x: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) s += a[row + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** x^T A x for an n-by-n A. */
export function quadForm(n: number, a: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) r += a[row + j]! * x[j]!;
    s += x[i]! * r;
  }
  return s;
}

/** A += c x x^T (a rank-one update of a Gram matrix). */
export function addOuter(n: number, a: Float64Array, x: ArrayLike<number>, c = 1): Float64Array {
  for (let i = 0; i < n; i++) {
    const cxi = c * x[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) a[row + j]! += cxi * x[j]!;
  }
  return a;
}

/** The n-by-n identity scaled by `scale`, written into `out`. */
export function identity(n: number, scale = 1, out: Float64Array = new Float64Array(n * n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = scale;
  return out;
}

/** Replaces A by (A + A^T) / 2, removing the asymmetry rounding accumulates in repeated updates. */
export function symmetrize(n: number, a: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      a[i * n + j] = m;
      a[j * n + i] = m;
    }
  }
  return a;
}

/**
 * Cholesky factor L (lower triangular, A = L L^T) of a symmetric positive definite A, written into `out`
 * (the strict upper triangle is zeroed). `out` may alias `a`.
 *
 * @returns true on success, false if A is not numerically positive definite (a pivot <= 0).
 */
export function choleskyInPlace(n: number, a: ArrayLike<number>, out: Float64Array): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= out[j * n + k]! * out[j * n + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    out[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= out[i * n + k]! * out[j * n + k]!;
      out[i * n + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) out[i * n + j] = 0;
  }
  return true;
}

/**
 * Cholesky factor of a symmetric positive definite matrix.
 *
 * @param n - order of the matrix.
 * @param a - n*n row-major symmetric matrix.
 * @returns a new n*n lower-triangular L with A = L L^T.
 * @throws ALLOT_NOT_POSITIVE_DEFINITE when a pivot is not positive.
 * @example cholesky(2, Float64Array.of(4, 2, 2, 3)) // [2, 0, 1, 1.4142135623730951]
 */
export function cholesky(n: number, a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n * n);
  if (!choleskyInPlace(n, a, out)) {
    throw new AllotError('ALLOT_NOT_POSITIVE_DEFINITE', `matrix of order ${n} is not positive definite`);
  }
  return out;
}

/** Solves L x = b for lower-triangular L (forward substitution). `out` may alias `b`. */
export function solveLower(
  n: number,
  l: ArrayLike<number>,
  b: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const row = i * n;
    for (let k = 0; k < i; k++) s -= l[row + k]! * out[k]!;
    out[i] = s / l[row + i]!;
  }
  return out;
}

/** Solves L^T x = b for lower-triangular L (back substitution on the transpose). `out` may alias `b`. */
export function solveLowerTranspose(
  n: number,
  l: ArrayLike<number>,
  b: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * out[k]!;
    out[i] = s / l[i * n + i]!;
  }
  return out;
}

/** Solves U x = b for upper-triangular U (row-major). `out` may alias `b`. */
export function solveUpper(
  n: number,
  u: ArrayLike<number>,
  b: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    const row = i * n;
    for (let k = i + 1; k < n; k++) s -= u[row + k]! * out[k]!;
    out[i] = s / u[row + i]!;
  }
  return out;
}

/** Solves A x = b given the Cholesky factor L of A. `out` may alias `b`. */
export function choleskySolve(
  n: number,
  l: ArrayLike<number>,
  b: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  solveLower(n, l, b, out);
  return solveLowerTranspose(n, l, out, out);
}

/** log det A = 2 sum_i log L_ii, from the Cholesky factor L of A. */
export function logDetFromCholesky(n: number, l: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/**
 * Inverse of a symmetric positive definite matrix through its Cholesky factor.
 *
 * @throws ALLOT_NOT_POSITIVE_DEFINITE when A is not positive definite.
 */
export function invertSpd(
  n: number,
  a: ArrayLike<number>,
  out: Float64Array = new Float64Array(n * n),
): Float64Array {
  const l = cholesky(n, a);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    choleskySolve(n, l, e, col);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i]!;
  }
  return out;
}

/**
 * Sherman–Morrison update of a symmetric inverse: given Ainv = A^{-1}, overwrite it with (A + c x x^T)^{-1}.
 *
 * @remarks
 * (A + c x x^T)^{-1} = A^{-1} − c (A^{-1} x)(A^{-1} x)^T / (1 + c x^T A^{-1} x). O(n^2).
 * Precondition: A symmetric and 1 + c x^T A^{-1} x > 0 (always true for c >= 0 and A positive definite).
 * Rounding makes the result drift from symmetry over many updates; call {@link symmetrize} or refactor
 * periodically.
 *
 * @param n - order.
 * @param ainv - n*n row-major inverse, updated in place.
 * @param x - the update vector (length n).
 * @param c - weight of the update (default 1).
 * @param work - scratch of length n (receives A^{-1} x).
 * @returns x^T A^{-1} x before the update (useful for log-determinant updates: det grows by 1 + c·that).
 */
export function shermanMorrisonUpdate(
  n: number,
  ainv: Float64Array,
  x: ArrayLike<number>,
  c: number,
  work: Float64Array,
): number {
  matVec(n, n, ainv, x, work);
  const q = dot(n, x, work);
  const f = c / (1 + c * q);
  for (let i = 0; i < n; i++) {
    const fi = f * work[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) ainv[row + j]! -= fi * work[j]!;
  }
  return q;
}
