/**
 * The allocation Bayes act (supplement eqs. 7–9): given marginal forecasts F_i for N locations and a stock K, the
 * allocation minimising the expected shortage is a vector of marginal quantiles at one shared level tau, clipped at
 * 0, that uses exactly K. Solved to full double precision, with a convex combination where the total jumps over K.
 */
import { normalCdf } from '../core/dist.js';
import { AllotError } from '../core/errors.js';
import { show } from '../core/validate.js';
import { stdNormalQuantile } from './distribution.js';

/** A marginal forecast for one location: anything with a quantile function (left-continuous, non-decreasing). */
export interface Marginal {
  /** Q(p) = inf{x : F(x) >= p}, p in [0, 1]. */
  quantile(p: number): number;
  /** Optional Q(1 − u), accurate for small u (upper tail), so levels within 1e-16 of 1 can be solved for. */
  upperQuantile?(u: number): number;
  /** Optional Q(1 − e^logU) for any logU <= 0 (beyond the smallest double), for K far in unbounded tails. */
  upperQuantileLog?(logU: number): number;
  /** Optional Q(e^logP) for any logP <= 0 (beyond the smallest double), for small K far in unbounded lower tails. */
  lowerQuantileLog?(logP: number): number;
  /** Optional probability levels at which the quantiles are known exactly (used to hit them exactly). */
  readonly levels?: ArrayLike<number>;
}

/** Options of {@link solveAllocation}. */
export interface AllocationOptions {
  /**
   * Per-location budget weights w_i > 0 (scalar or length N; default 1): the constraint is sum_i w_i x_i = K.
   */
  readonly weights?: number | ArrayLike<number>;
  /** Loss per unit of shortage L_i > 0 (scalar or length N; default 1). */
  readonly loss?: number | ArrayLike<number>;
}

/** How the allocation was obtained. */
export type AllocationKind =
  /** tau solves sum_i w_i max(0, Q_i(tau)) = K (to double precision). */
  | 'exact'
  /** sum_i w_i max(0, Q_i(tau)) jumps over K at tau: convex combination of the two bracketing quantile vectors. */
  | 'jump'
  /** K is below the smallest reachable total (every F_i puts no mass below a positive value): scaled down. */
  | 'degenerate-low'
  /** K is above the largest reachable total (every F_i has a bounded support): the surplus is split equally. */
  | 'degenerate-high';

/** The allocation for one K. */
export interface Allocation {
  /** The stock. */
  readonly K: number;
  /** Allocation per location (>= 0, sum_i w_i x_i = K to rounding). */
  readonly x: Float64Array;
  /** Probability level per location (all equal with equal w/L). */
  readonly tau: Float64Array;
  /** How the allocation was obtained (`degenerate-*` flags a forecast that cannot reach K for tau in (0, 1)). */
  readonly kind: AllocationKind;
  /** True for the two degenerate kinds. */
  readonly degenerate: boolean;
  /** Bisection steps taken. */
  readonly iterations: number;
}

function expand(name: string, v: number | ArrayLike<number> | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (v === undefined) {
    out.fill(1);
    return out;
  }
  if (typeof v === 'number') {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must be a finite number > 0 (got ${show(v)})`);
    }
    out.fill(v);
    return out;
  }
  if (v.length !== n) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${name} must have one entry per location (${n}, got ${v.length})`,
    );
  }
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!(Number.isFinite(x) && x > 0)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `${name}[${i}] must be a finite number > 0 (got ${show(x)})`,
      );
    }
    out[i] = x;
  }
  return out;
}

/** A prepared allocation problem: marginals, weights and levels, reused across many K. */
interface Problem {
  readonly n: number;
  readonly marginals: readonly Marginal[];
  readonly w: Float64Array;
  /** r_i = (w_i / L_i) / min_j (w_j / L_j) >= 1 (all 1 in the paper's case). */
  readonly r: Float64Array;
  readonly uniform: boolean;
  /** Sorted distinct hint levels (uniform case only). */
  readonly hints: Float64Array;
  readonly work: Float64Array;
}

/**
 * x_i = max(0, Q_i(1 − u_i)) with u_i = mu·r_i, through the marginal's upper-tail quantile when u_i is small, so
 * that levels within 1e-16 of 1 stay resolvable. Returns sum_i w_i x_i (non-increasing in mu).
 */
function totalAt(pr: Problem, mu: number, out: Float64Array): number {
  let sum = 0;
  const n = pr.n;
  const w = pr.w;
  const r = pr.r;
  for (let i = 0; i < n; i++) {
    const u = mu * r[i]!;
    const m = pr.marginals[i]!;
    const q =
      u >= 1
        ? m.quantile(0)
        : u < 0.5 && m.upperQuantile !== undefined
          ? m.upperQuantile(u)
          : m.quantile(1 - u);
    const x = q > 0 ? q : 0;
    out[i] = x;
    sum += w[i]! * x;
  }
  return sum;
}

/** Same at a level p given exactly (uniform case): x_i = max(0, Q_i(p)). */
function totalAtLevel(pr: Problem, p: number, out: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < pr.n; i++) {
    const q = pr.marginals[i]!.quantile(p);
    const x = q > 0 ? q : 0;
    out[i] = x;
    sum += pr.w[i]! * x;
  }
  return sum;
}

function prepare(marginals: readonly Marginal[], opts: AllocationOptions): Problem {
  const n = marginals.length;
  if (n === 0)
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'marginals must hold at least one location (got 0)');
  const w = expand('weights', opts.weights, n);
  const L = expand('loss', opts.loss, n);
  let uniform = true;
  let minRatio = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const ratio = w[i]! / L[i]!;
    if (ratio < minRatio) minRatio = ratio;
    if (ratio !== w[0]! / L[0]!) uniform = false;
  }
  const r = new Float64Array(n).fill(1);
  let hints = new Float64Array(0);
  if (!uniform) {
    for (let i = 0; i < n; i++) r[i] = w[i]! / L[i]! / minRatio;
  } else {
    const seen = new Set<number>();
    for (const m of marginals) {
      const lv = m.levels;
      if (lv === undefined) continue;
      for (let k = 0; k < lv.length; k++) {
        const p = lv[k]!;
        if (p > 0 && p < 1) seen.add(p);
      }
    }
    hints = Float64Array.from(seen).sort();
  }
  return { n, marginals, w, r, uniform, hints, work: new Float64Array(n) };
}

/** The coordinate a search runs in: the upper region uses mu = 1 − tau, the lower region tau itself. */
interface Region {
  /** True: t = mu (totals non-increasing in t); false: t = tau (totals non-decreasing in t). */
  readonly upper: boolean;
}

function totalIn(pr: Problem, reg: Region, t: number, out: Float64Array): number {
  return reg.upper ? totalAt(pr, t, out) : totalAtLevel(pr, t, out);
}

/** Totals at ell = ln t (t below the smallest double), through the marginals' log-scale tail quantiles. */
function totalAtLog(pr: Problem, reg: Region, ell: number, out: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < pr.n; i++) {
    const m = pr.marginals[i]!;
    const q = reg.upper ? m.upperQuantileLog!(ell + Math.log(pr.r[i]!)) : m.lowerQuantileLog!(ell);
    const x = q > 0 ? q : 0;
    out[i] = x;
    sum += pr.w[i]! * x;
  }
  return sum;
}

/** Below this t the root search steps in z = Φ⁻¹(t) (tails; normal tails make totals linear in z there). */
const TAIL_T = 0.02;

interface SearchResult {
  readonly x: Float64Array;
  /** The coordinate of the answer (t, or ln t when `log`). */
  readonly t: number;
  readonly log: boolean;
  readonly jump: boolean;
  readonly iterations: number;
}

/** Combination of the two bracketing vectors meeting K: x = xA + theta (xB − xA), theta = hA / (hA − hB). */
function combine(xA: Float64Array, xB: Float64Array, hA: number, hB: number): Float64Array {
  const theta = hA === hB ? 0 : hA / (hA - hB);
  const x = new Float64Array(xA.length);
  for (let i = 0; i < xA.length; i++) {
    const v = xA[i]! + theta * (xB[i]! - xA[i]!);
    x[i] = v > 0 ? v : 0;
  }
  return x;
}

/**
 * Root search for G(t) = K on the bracket [tA, tB] (hA = G(tA) − K and hB = G(tB) − K of opposite signs): Illinois
 * steps (regula falsi with the stale end's weight halved), in z = Φ⁻¹(t) in the tails, geometric while the bracket
 * spans orders of magnitude, a bisection whenever three steps did not halve the bracket. Stops when a total equals
 * K, the totals agree to 1e-12 relative, or the bracket is two adjacent doubles (or 1e-13 relative: beyond that the
 * quantile evaluations are not monotone).
 */
function search(
  pr: Problem,
  reg: Region,
  K: number,
  tA0: number,
  hA0: number,
  xA: Float64Array,
  tB0: number,
  hB0: number,
  xB: Float64Array,
  it0: number,
): SearchResult {
  let tA = tA0;
  let hA = hA0;
  let tB = tB0;
  let hB = hB0;
  let iterations = it0;
  const work = pr.work;
  const tolG = 1e-12 * Math.max(Math.abs(K), Number.MIN_VALUE);
  let wA = 1;
  let wB = 1;
  let side = 0;
  let bisectNext = false;
  let refWidth = tB - tA;
  let sinceRef = 0;
  for (;;) {
    if (hA === 0) return { x: xA, t: tA, log: false, jump: false, iterations };
    if (hB === 0) return { x: xB, t: tB, log: false, jump: false, iterations };
    if (Math.abs(hA - hB) <= tolG || tB - tA <= 1e-13 * tB) break;
    const fA = hA * wA;
    const fB = hB * wB;
    let t: number;
    if (tA === 0) {
      // Toward a level at 0 or 1: square t (doubling ln t); far out, continue in ln t (farTail below).
      if (tB < 1e-150) break;
      t = tB * tB;
    } else if (tB <= TAIL_T && Number.isFinite(hA) && Number.isFinite(hB)) {
      const zA = stdNormalQuantile(tA);
      const zB = stdNormalQuantile(tB);
      t = normalCdf(bisectNext ? 0.5 * (zA + zB) : zA + (fA / (fA - fB)) * (zB - zA));
      if (!(t > tA && t < tB)) t = tB > 2 * tA ? Math.sqrt(tA * tB) : tA + (fA / (fA - fB)) * (tB - tA);
    } else if (tB > 2 * tA) t = Math.sqrt(tA * tB);
    else if (bisectNext || !Number.isFinite(hA) || !Number.isFinite(hB)) t = 0.5 * (tA + tB);
    else t = tA + (fA / (fA - fB)) * (tB - tA);
    if (!(t > tA && t < tB)) t = 0.5 * (tA + tB);
    if (!(t > tA && t < tB)) break;
    const h = totalIn(pr, reg, t, work) - K;
    iterations++;
    if (h === 0 || h < 0 === hA < 0) {
      tA = t;
      hA = h;
      xA.set(work);
      wA = 1;
      if (side === 1) wB *= 0.5;
      side = 1;
    } else {
      tB = t;
      hB = h;
      xB.set(work);
      wB = 1;
      if (side === 2) wA *= 0.5;
      side = 2;
    }
    bisectNext = false;
    if (++sinceRef >= 3) {
      bisectNext = tB - tA > 0.5 * refWidth;
      refWidth = tB - tA;
      sinceRef = 0;
    }
  }
  if (tA === 0 && !Number.isFinite(hA)) {
    // Upper region, K needs tau closer to 1 than 1 − 5e-324: continue in ln mu.
    const far = farTail(pr, reg, K, tB, hB, xB, iterations);
    if (far !== null) return far;
  } else if (tA === 0 && !reg.upper && tB > 0 && tB < 1e-150) {
    // Lower region, K needs tau below the smallest double: continue in ln tau.
    const far = farTail(pr, reg, K, tB, hB, xB, iterations);
    if (far !== null) return far;
  }
  const jump = Math.abs(hA - hB) > 1e-7 * Math.max(Math.abs(K), 1);
  if (!Number.isFinite(hA) || !Number.isFinite(hB)) {
    // K beyond every finite total and no log-scale tails: the unbounded locations share the remainder equally.
    const [xf, xi, hf] = Number.isFinite(hA) ? [xA, xB, hA] : [xB, xA, hB];
    let sw = 0;
    for (let i = 0; i < pr.n; i++) if (!Number.isFinite(xi[i]!)) sw += pr.w[i]!;
    const x = new Float64Array(pr.n);
    for (let i = 0; i < pr.n; i++) x[i] = xf[i]! + (Number.isFinite(xi[i]!) ? 0 : -hf / sw);
    return { x, t: Number.isFinite(hA) ? tB : tA, log: false, jump: true, iterations };
  }
  const theta = hA / (hA - hB);
  return { x: combine(xA, xB, hA, hB), t: theta < 0.5 ? tA : tB, log: false, jump, iterations };
}

/**
 * K needs a level beyond the smallest double (unbounded tails, K many scale units out): search ell = ln t below
 * ln(tStart) with the marginals' log-scale tail quantiles. Returns null when a marginal lacks them.
 */
function farTail(
  pr: Problem,
  reg: Region,
  K: number,
  tStart: number,
  hStart: number,
  xStart: Float64Array,
  it: number,
): SearchResult | null {
  for (const m of pr.marginals) {
    if (reg.upper ? m.upperQuantileLog === undefined : m.lowerQuantileLog === undefined) return null;
  }
  const n = pr.n;
  let iterations = it;
  // Work in s = sqrt(−2 ell) (≈ the normal deviate, in which normal-tail totals are close to linear).
  // A: the known end (smaller s), B: the far end (found by doubling s).
  let sA = Math.sqrt(-2 * (tStart > 0 ? Math.log(tStart) : -744));
  let hA = hStart;
  const xA = Float64Array.from(xStart);
  const xB = new Float64Array(n);
  const ellOf = (v: number): number => -0.5 * v * v;
  let sB = 2 * sA;
  let hB = totalAtLog(pr, reg, ellOf(sB), xB) - K;
  iterations++;
  while (hB < 0 === hA < 0 && hB !== 0 && Number.isFinite(sB) && iterations < 3000) {
    if (hB === hA) return null; // flat: no tail to follow (a point mass at the end)
    sA = sB;
    hA = hB;
    xA.set(xB);
    sB *= 2;
    hB = totalAtLog(pr, reg, ellOf(sB), xB) - K;
    iterations++;
  }
  if (!Number.isFinite(hB) || (hB < 0 === hA < 0 && hB !== 0)) return null;
  const work = new Float64Array(n);
  const tol = 1e-12 * Math.max(Math.abs(K), Number.MIN_VALUE);
  let wA = 1;
  let wB = 1;
  let side = 0;
  while (hB !== 0 && Math.abs(hA - hB) > tol && iterations < 3000) {
    const fA = hA * wA;
    const fB = hB * wB;
    let v = sA + (fA / (fA - fB)) * (sB - sA);
    if (!(v > sA && v < sB)) v = 0.5 * (sA + sB);
    if (!(v > sA && v < sB)) break;
    const h = totalAtLog(pr, reg, ellOf(v), work) - K;
    iterations++;
    if (h < 0 === hA < 0 && h !== 0) {
      sA = v;
      hA = h;
      xA.set(work);
      wA = 1;
      if (side === 1) wB *= 0.5;
      side = 1;
    } else {
      sB = v;
      hB = h;
      xB.set(work);
      wB = 1;
      if (side === 2) wA *= 0.5;
      side = 2;
    }
  }
  const ellA = ellOf(sA);
  const ellB = ellOf(sB);
  const theta = hA === hB ? 1 : hA / (hA - hB);
  return {
    x: combine(xA, xB, hA, hB),
    t: theta < 0.5 ? ellA : ellB,
    log: true,
    jump: false,
    iterations,
  };
}

function solveOne(pr: Problem, K: number): Allocation {
  const n = pr.n;
  const tau = new Float64Array(n);
  const upper: Region = { upper: true };
  const lower: Region = { upper: false };
  const done = (
    x: Float64Array,
    kind: AllocationKind,
    iterations: number,
    level: (i: number) => number,
  ): Allocation => {
    for (let i = 0; i < n; i++) {
      const t = level(i);
      tau[i] = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    return {
      K,
      x,
      tau,
      kind,
      degenerate: kind === 'degenerate-low' || kind === 'degenerate-high',
      iterations,
    };
  };
  const fromMu = (mu: number) => (i: number) => 1 - mu * pr.r[i]!;
  let iterations = 0;
  const xMin = new Float64Array(n);
  const xMax = new Float64Array(n);
  const gMin = totalAt(pr, 1, xMin); // tau = 0
  const gMax = totalAt(pr, 0, xMax); // tau = 1
  if (gMin > K) {
    // Even tau = 0 over-allocates: every allocation below the lower support ends is optimal; scale down.
    const f = gMin > 0 ? K / gMin : 0;
    for (let i = 0; i < n; i++) xMin[i] = xMin[i]! * f;
    return done(xMin, 'degenerate-low', iterations, () => 0);
  }
  if (!(gMax >= K)) {
    // Even tau = 1 falls short (bounded supports): any split of the surplus is optimal; split it equally.
    let sw = 0;
    for (let i = 0; i < n; i++) sw += pr.w[i]!;
    const add = (K - gMax) / sw;
    for (let i = 0; i < n; i++) xMax[i] = xMax[i]! + add;
    return done(xMax, 'degenerate-high', iterations, () => 1);
  }
  const finish = (r: SearchResult, reg: Region): Allocation => {
    const kind: AllocationKind = r.jump ? 'jump' : 'exact';
    if (r.log) {
      const t = r.t;
      return done(r.x, kind, r.iterations, reg.upper ? () => 1 : () => 0 * t);
    }
    return done(r.x, kind, r.iterations, reg.upper ? fromMu(r.t) : () => r.t);
  };
  if (!pr.uniform) {
    // Per-location levels tau_i = 1 − mu r_i: one search in mu over [0, 1].
    const r = search(pr, upper, K, 0, gMax - K, xMax, 1, gMin - K, xMin, iterations);
    return finish(r, upper);
  }
  // Equal w/L: bracket on the known levels first (exact when a level's quantiles sum to K), then search in tau
  // below 0.5 and in mu = 1 − tau above, so that levels near 0 and near 1 both keep full resolution.
  let pA = 0;
  let gA = gMin;
  const xA = Float64Array.from(xMin);
  let pB = 1;
  let gB = gMax;
  const xB = Float64Array.from(xMax);
  const work = pr.work;
  const hints = pr.hints;
  let lo = -1;
  let hi = hints.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const p = hints[mid]!;
    const g = totalAtLevel(pr, p, work);
    iterations++;
    if (g === K) return done(Float64Array.from(work), 'exact', iterations, () => p);
    if (g < K) {
      lo = mid;
      pA = p;
      gA = g;
      xA.set(work);
    } else {
      hi = mid;
      pB = p;
      gB = g;
      xB.set(work);
    }
  }
  if (pA < 0.5 && pB > 0.5) {
    const g = totalAtLevel(pr, 0.5, work);
    iterations++;
    if (g === K) return done(Float64Array.from(work), 'exact', iterations, () => 0.5);
    if (g < K) {
      pA = 0.5;
      gA = g;
      xA.set(work);
    } else {
      pB = 0.5;
      gB = g;
      xB.set(work);
    }
  }
  if (pB <= 0.5) return finish(search(pr, lower, K, pA, gA - K, xA, pB, gB - K, xB, iterations), lower);
  // Upper region: t = mu = 1 − tau (exact for tau >= 0.5), A at the small-mu end.
  return finish(search(pr, upper, K, 1 - pB, gB - K, xB, 1 - pA, gA - K, xA, iterations), upper);
}

/**
 * Solves the allocation problem for every K: x_i = max(0, Q_i(tau)) with sum_i w_i x_i = K.
 *
 * @remarks
 * Supplement eqs. 7–9: minimise sum_i L_i E[(Y_i − x_i)_+] subject to sum_i w_i x_i = K, x >= 0. The KKT
 * conditions give L_i (1 − F_i(x_i)) = λ w_i, i.e. x_i = Q_i(tau_i) with tau_i = 1 − λ w_i / L_i; with equal
 * w_i / L_i (the paper's case) every location shares one level tau solving sum_i q_{tau, F_i} = K (eq. 9).
 * G(tau) = sum_i w_i max(0, Q_i(tau)) is non-decreasing; the solver first bisects over the marginals' known levels
 * (so when the quantiles at a level sum to K the allocation is exactly those quantiles), then searches the bracket in
 * tau below 0.5 and in mu = 1 − tau above (Illinois steps, in z = Φ⁻¹ in the tails; log-scale tail quantiles beyond
 * the smallest double) until the bracketing totals agree to 1e-12·K or the bracket is two adjacent doubles, and
 * finishes with the convex combination of the two bracketing vectors that sums to K exactly. Where G jumps over K
 * (a point mass or a flat CDF stretch) the result is that combination
 * (`kind: 'jump'`). Where K is not reachable for tau in [0, 1]: below G(0) the tau = 0 vector is scaled down to K
 * (`degenerate-low`); above G(1) (bounded supports) the surplus is added equally per unit weight
 * (`degenerate-high`); both are optimal but not unique. The authors' R code (alloscore) stops at a 1e-4 relative
 * tolerance and may miss K by up to 1 %; this solver is exact to rounding.
 *
 * References: Gerding, Reich, Rogers, Ray (2023), Evaluating infectious disease forecasts with allocation scoring
 * rules, supplement sections 4–5, arXiv:2312.16201.
 *
 * @param marginals - one marginal forecast per location (N >= 1), e.g. {@link createQuantileDistribution} results
 * @param K - stocks to allocate, each finite and >= 0
 * @param opts - per-location weights w and loss L (default 1)
 * @returns one {@link Allocation} per K, in order
 * @throws ALLOT_INVALID_ARGUMENT for no locations; ALLOT_OUT_OF_RANGE for a negative or non-finite K or a
 *   non-positive weight or loss; ALLOT_SHAPE_MISMATCH for weights of the wrong length.
 * @example
 * ```ts
 * // Exponential marginals: the allocation is proportional to the scales.
 * const m = [1, 3].map((s) => ({ quantile: (p: number) => -s * Math.log1p(-p) }));
 * solveAllocation(m, [8])[0].x; // Float64Array [2, 6]
 * ```
 */
export function solveAllocation(
  marginals: readonly Marginal[],
  K: number | ArrayLike<number>,
  opts: AllocationOptions = {},
): Allocation[] {
  const ks = typeof K === 'number' ? [K] : Array.from(K);
  for (let j = 0; j < ks.length; j++) {
    const k = ks[j]!;
    if (!(Number.isFinite(k) && k >= 0)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `K must be a finite number >= 0 (got ${show(k)})`);
    }
  }
  const pr = prepare(marginals, opts);
  const out: Allocation[] = [];
  for (const k of ks) out.push(solveOne(pr, k));
  return out;
}
