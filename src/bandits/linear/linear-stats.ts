/**
 * Additive sufficient statistics of a (weighted) ridge regression: the data part of the Gram matrix, the
 * response-weighted sum of features, the sum of squared responses and the number of scalar observations.
 *
 * @remarks
 * For observations (u_j = s_j x_j, y_j): G = Σ u_j u_j^T, b = Σ y_j u_j, η = Σ y_j^2, n = #observations.
 * The prior λI is NOT part of the statistics, so two copies that saw disjoint streams merge by plain addition
 * into the statistics of one that saw both (associative and commutative). In the position-based model
 * s_j = q_ℓ, so G = Σ_ℓ q_ℓ^2 V^ℓ and b = Σ_ℓ q_ℓ b^ℓ (Prop. 1 of Ermis et al. 2020, Eq. 1).
 *
 * References: B. Ermis, P. Ernst, Y. Stein, G. Zappella, "Learning to Rank in the Position Based Model with Bandit
 * Feedback", CIKM 2020, arXiv:2004.13106.
 */

import { AllotError } from '../../core/errors.js';
import { choleskyInPlace, choleskySolve } from '../../core/linalg.js';
import { assertFinite, assertInteger, assertPositive } from '../../core/validate.js';
import { addGramGroupsWasm } from './wasm/quad.js';

/** Additive statistics of a linear-Gaussian model (plain data; clone with structuredClone). */
export interface LinearStats {
  /** Feature dimension d. */
  readonly d: number;
  /**
   * d*d row-major Σ u u^T (no prior). Only the upper triangle (column >= row) is accumulated; entries below the
   * diagonal stay 0. Use {@link gramMatrix} for the full symmetric matrix.
   */
  readonly gram: Float64Array;
  /** Length-d Σ y u. */
  readonly b: Float64Array;
  /** Σ y^2. */
  yy: number;
  /** Number of scalar observations. */
  n: number;
}

/**
 * Empty statistics of dimension d.
 *
 * @param d - feature dimension, an integer >= 1.
 * @returns zeroed statistics.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE for a bad d.
 */
export function createLinearStats(d: number): LinearStats {
  assertInteger('d', d, 1, 4096);
  return { d, gram: new Float64Array(d * d), b: new Float64Array(d), yy: 0, n: 0 };
}

/**
 * Adds one observation (u = scale·x, y) in place: G += u u^T (upper triangle), b += y u, η += y², n += 1.
 * O(d²/2), no allocation.
 *
 * @remarks Kernel: trusts that x has d finite entries from `offset` and that scale and y are finite.
 * @param stats - statistics, updated in place.
 * @param x - feature array; the vector is x[offset .. offset + d).
 * @param offset - start of the vector.
 * @param scale - weight s of the feature (q_ℓ in the PBM).
 * @param y - response.
 */
export function addObservation(
  stats: LinearStats,
  x: Float64Array,
  offset: number,
  scale: number,
  y: number,
): void {
  const d = stats.d;
  const g = stats.gram;
  const b = stats.b;
  const s2 = scale * scale;
  // Rows two at a time (each x_j loaded once for both); a row whose x_i is 0 adds nothing and is skipped when both
  // are 0 (adding the ±0 terms of one would leave every entry unchanged: G never holds −0).
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const xi = x[offset + i]!;
    const xi1 = x[offset + i + 1]!;
    b[i]! += y * scale * xi;
    b[i + 1]! += y * scale * xi1;
    if (xi === 0 && xi1 === 0) continue;
    const c = s2 * xi;
    const c1 = s2 * xi1;
    const row = i * d;
    const row1 = row + d;
    g[row + i]! += c * xi;
    g[row + i + 1]! += c * xi1;
    g[row1 + i + 1]! += c1 * xi1;
    for (let j = i + 2; j < d; j++) {
      const xj = x[offset + j]!;
      g[row + j]! += c * xj;
      g[row1 + j]! += c1 * xj;
    }
  }
  if (i < d) {
    const xi = x[offset + i]!;
    b[i]! += y * scale * xi;
    g[i * d + i]! += s2 * xi * xi;
  }
  stats.yy += y * y;
  stats.n += 1;
}

/**
 * The part of {@link addObservations} without the Gram matrix: b += y_v u_v, η += y_v², n += 1 per observation
 * (u_v = scales[v]·x[offsets[v] ..]). O(m d). For statistics whose Gram matrix is rebuilt from another source
 * (a PBM ranker's per-position statistics) before it is read.
 */
export function addResponses(
  stats: LinearStats,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  ys: ArrayLike<number>,
  start: number,
  m: number,
): void {
  const d = stats.d;
  const b = stats.b;
  for (let v = start; v < start + m; v++) {
    const o = offsets[v]!;
    const y = ys[v]!;
    const c = y * scales[v]!;
    for (let i = 0; i < d; i++) b[i]! += c * x[o + i]!;
    stats.yy += y * y;
    stats.n += 1;
  }
}

/**
 * b, η and n of a group of four or two observations, with the sums of {@link addObservations}' groups (b_i takes
 * y_v s_v x_v[i] in order of v).
 */
function groupResponses(
  stats: LinearStats,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  ys: ArrayLike<number>,
  v: number,
  nv: number,
): void {
  const d = stats.d;
  const b = stats.b;
  const o0 = offsets[v]!;
  const o1 = offsets[v + 1]!;
  const c0 = ys[v]! * scales[v]!;
  const c1 = ys[v + 1]! * scales[v + 1]!;
  const y0 = ys[v]!;
  const y1 = ys[v + 1]!;
  if (nv === 4) {
    const o2 = offsets[v + 2]!;
    const o3 = offsets[v + 3]!;
    const c2 = ys[v + 2]! * scales[v + 2]!;
    const c3 = ys[v + 3]! * scales[v + 3]!;
    const y2 = ys[v + 2]!;
    const y3 = ys[v + 3]!;
    for (let i = 0; i < d; i++) {
      b[i] = b[i]! + c0 * x[o0 + i]! + c1 * x[o1 + i]! + c2 * x[o2 + i]! + c3 * x[o3 + i]!;
    }
    stats.yy = stats.yy + y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3;
    stats.n += 4;
  } else {
    for (let i = 0; i < d; i++) b[i] = b[i]! + c0 * x[o0 + i]! + c1 * x[o1 + i]!;
    stats.yy = stats.yy + y0 * y0 + y1 * y1;
    stats.n += 2;
  }
}

/**
 * Adds observations v = start .. start + m − 1 (u_v = scales[v]·x[offsets[v] ..], y = ys[v]) in place, bit for
 * bit what m calls of {@link addObservation} in order of v give: every entry receives the same terms in the same
 * order, but a row of G is loaded and stored once per four (then two) observations instead of once per
 * observation. No allocation.
 *
 * @remarks Kernel: trusts the offsets, finite scales and responses. A zero feature adds ±0 where
 *   {@link addObservation} skips the row; the sums are the same.
 */
export function addObservations(
  stats: LinearStats,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  ys: ArrayLike<number>,
  start: number,
  m: number,
): void {
  const d = stats.d;
  const g = stats.gram;
  const b = stats.b;
  const end = start + m;
  let v = start;
  // The WebAssembly SIMD kernel adds the groups' Gram terms (bit for bit the sums below); b, η and n here.
  const done = addGramGroupsWasm(d, g, x, offsets, scales, start, m);
  if (done > 0) {
    for (; v < start + done; ) {
      const nv = v + 4 <= start + done ? 4 : 2;
      groupResponses(stats, x, offsets, scales, ys, v, nv);
      v += nv;
    }
    for (; v < end; v++) addObservation(stats, x, offsets[v]!, scales[v]!, ys[v]!);
    return;
  }
  for (; v + 4 <= end; v += 4) {
    const o0 = offsets[v]!;
    const o1 = offsets[v + 1]!;
    const o2 = offsets[v + 2]!;
    const o3 = offsets[v + 3]!;
    const a0 = scales[v]!;
    const a1 = scales[v + 1]!;
    const a2 = scales[v + 2]!;
    const a3 = scales[v + 3]!;
    const y0 = ys[v]!;
    const y1 = ys[v + 1]!;
    const y2 = ys[v + 2]!;
    const y3 = ys[v + 3]!;
    const q0 = a0 * a0;
    const q1 = a1 * a1;
    const q2 = a2 * a2;
    const q3 = a3 * a3;
    // rows two at a time: each x_v[j] loaded once for both rows (every entry's terms and their order unchanged)
    let i = 0;
    for (; i + 1 < d; i += 2) {
      const x0 = x[o0 + i]!;
      const x1 = x[o1 + i]!;
      const x2 = x[o2 + i]!;
      const x3 = x[o3 + i]!;
      const z0 = x[o0 + i + 1]!;
      const z1 = x[o1 + i + 1]!;
      const z2 = x[o2 + i + 1]!;
      const z3 = x[o3 + i + 1]!;
      b[i] = b[i]! + y0 * a0 * x0 + y1 * a1 * x1 + y2 * a2 * x2 + y3 * a3 * x3;
      b[i + 1] = b[i + 1]! + y0 * a0 * z0 + y1 * a1 * z1 + y2 * a2 * z2 + y3 * a3 * z3;
      const c0 = q0 * x0;
      const c1 = q1 * x1;
      const c2 = q2 * x2;
      const c3 = q3 * x3;
      const e0 = q0 * z0;
      const e1 = q1 * z1;
      const e2 = q2 * z2;
      const e3 = q3 * z3;
      const row = i * d;
      const row1 = row + d;
      g[row + i] = g[row + i]! + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
      g[row + i + 1] = g[row + i + 1]! + c0 * z0 + c1 * z1 + c2 * z2 + c3 * z3;
      g[row1 + i + 1] = g[row1 + i + 1]! + e0 * z0 + e1 * z1 + e2 * z2 + e3 * z3;
      for (let j = i + 2; j < d; j++) {
        const w0 = x[o0 + j]!;
        const w1 = x[o1 + j]!;
        const w2 = x[o2 + j]!;
        const w3 = x[o3 + j]!;
        g[row + j] = g[row + j]! + c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3;
        g[row1 + j] = g[row1 + j]! + e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3;
      }
    }
    if (i < d) {
      const x0 = x[o0 + i]!;
      const x1 = x[o1 + i]!;
      const x2 = x[o2 + i]!;
      const x3 = x[o3 + i]!;
      b[i] = b[i]! + y0 * a0 * x0 + y1 * a1 * x1 + y2 * a2 * x2 + y3 * a3 * x3;
      const row = i * d;
      g[row + i] = g[row + i]! + q0 * x0 * x0 + q1 * x1 * x1 + q2 * x2 * x2 + q3 * x3 * x3;
    }
    stats.yy = stats.yy + y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3;
    stats.n += 4;
  }
  if (v + 2 <= end) {
    const o0 = offsets[v]!;
    const o1 = offsets[v + 1]!;
    const a0 = scales[v]!;
    const a1 = scales[v + 1]!;
    const y0 = ys[v]!;
    const y1 = ys[v + 1]!;
    const q0 = a0 * a0;
    const q1 = a1 * a1;
    for (let i = 0; i < d; i++) {
      const x0 = x[o0 + i]!;
      const x1 = x[o1 + i]!;
      b[i] = b[i]! + y0 * a0 * x0 + y1 * a1 * x1;
      const c0 = q0 * x0;
      const c1 = q1 * x1;
      const row = i * d;
      for (let j = i; j < d; j++) g[row + j] = g[row + j]! + c0 * x[o0 + j]! + c1 * x[o1 + j]!;
    }
    stats.yy = stats.yy + y0 * y0 + y1 * y1;
    stats.n += 2;
    v += 2;
  }
  for (; v < end; v++) addObservation(stats, x, offsets[v]!, scales[v]!, ys[v]!);
}

/**
 * The statistics of a batch of observations: the delta that `learn` adds (Prop. 1 sums over one round).
 *
 * @param d - feature dimension.
 * @param xs - m*d row-major features.
 * @param scales - m weights (q_ℓ of the position each was shown at).
 * @param ys - m responses.
 * @returns new statistics holding only this batch.
 * @throws ALLOT_SHAPE_MISMATCH when the lengths disagree; ALLOT_NOT_FINITE on a non-finite entry.
 */
export function linearDelta(
  d: number,
  xs: ArrayLike<number>,
  scales: ArrayLike<number>,
  ys: ArrayLike<number>,
): LinearStats {
  const stats = createLinearStats(d);
  const m = ys.length;
  if (scales.length !== m || xs.length !== m * d) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `features must have ${m} x ${d} = ${m * d} entries and scales ${m} (got ${xs.length} and ${scales.length})`,
    );
  }
  const x = Float64Array.from(xs);
  for (let i = 0; i < x.length; i++) assertFinite(`features[${i}]`, x[i]);
  for (let j = 0; j < m; j++) {
    assertFinite(`scales[${j}]`, scales[j]);
    assertFinite(`responses[${j}]`, ys[j]);
    addObservation(stats, x, j * d, scales[j]!, ys[j]!);
  }
  return stats;
}

/**
 * Sum of two statistics (associative and commutative): the statistics of the union of both streams.
 *
 * @throws ALLOT_SHAPE_MISMATCH when the dimensions differ.
 */
export function mergeLinearStats(a: LinearStats, b: LinearStats): LinearStats {
  if (a.d !== b.d) {
    throw new AllotError('ALLOT_SHAPE_MISMATCH', `cannot merge statistics of dimension ${a.d} and ${b.d}`);
  }
  const out = createLinearStats(a.d);
  for (let i = 0; i < out.gram.length; i++) out.gram[i] = a.gram[i]! + b.gram[i]!;
  for (let i = 0; i < a.d; i++) out.b[i] = a.b[i]! + b.b[i]!;
  out.yy = a.yy + b.yy;
  out.n = a.n + b.n;
  return out;
}

/**
 * The full symmetric Gram matrix λI + G (λ = 0 gives G) mirrored from the stored upper triangle.
 *
 * @param stats - statistics.
 * @param lambda - added to the diagonal (default 0).
 * @param out - receives the d*d matrix (default: new).
 * @returns `out`.
 */
export function gramMatrix(
  stats: LinearStats,
  lambda = 0,
  out: Float64Array = new Float64Array(stats.d * stats.d),
): Float64Array {
  const d = stats.d;
  const g = stats.gram;
  for (let i = 0; i < d; i++) {
    out[i * d + i] = g[i * d + i]! + lambda;
    for (let j = i + 1; j < d; j++) {
      const v = g[i * d + j]!;
      out[i * d + j] = v;
      out[j * d + i] = v;
    }
  }
  return out;
}

/**
 * The ridge (Prop. 1) estimate θ̂ = (λI + G)^{-1} b computed directly by Cholesky (O(d³), allocates).
 *
 * @remarks Eq. 1 of Ermis et al. (2020): θ̂ = (Σ_ℓ q_ℓ² V^ℓ + λI)^{-1} Σ_ℓ q_ℓ b^ℓ.
 * @param stats - statistics.
 * @param lambda - ridge λ > 0.
 * @returns θ̂ (length d).
 * @throws ALLOT_OUT_OF_RANGE for λ <= 0; ALLOT_NOT_POSITIVE_DEFINITE if the system is singular.
 */
export function ridgeEstimate(stats: LinearStats, lambda: number): Float64Array {
  assertPositive('lambda', lambda);
  const d = stats.d;
  const a = gramMatrix(stats, lambda);
  const l = new Float64Array(d * d);
  if (!choleskyInPlace(d, a, l)) {
    throw new AllotError(
      'ALLOT_NOT_POSITIVE_DEFINITE',
      `lambda*I + Gram of order ${d} is not positive definite`,
    );
  }
  return choleskySolve(d, l, stats.b, new Float64Array(d));
}
