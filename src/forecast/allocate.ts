/**
 * The allocation Bayes act (supplement eqs. 7–9): given marginal forecasts F_i for N locations and a stock K, the
 * allocation minimising the expected shortage is a vector of marginal quantiles at one shared level tau, clipped at
 * 0, that uses exactly K. Solved to full double precision, with a convex combination where the total jumps over K.
 */
import { AllotError } from '../core/errors.js';
import { show } from '../core/validate.js';

/** A marginal forecast for one location: anything with a quantile function (left-continuous, non-decreasing). */
export interface Marginal {
  /** Q(p) = inf{x : F(x) >= p}, p in [0, 1]. */
  quantile(p: number): number;
  /** Optional Q(1 − u), accurate for small u (upper tail), so levels within 1e-16 of 1 can be solved for. */
  upperQuantile?(u: number): number;
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

function solveOne(pr: Problem, K: number): Allocation {
  const n = pr.n;
  const xL = new Float64Array(n);
  const xU = new Float64Array(n);
  const tau = new Float64Array(n);
  // Bracket in mu = 1 − tau: G(muLo) >= K >= G(muHi), G non-increasing in mu.
  let muLo = 0;
  let muHi = 1;
  let gHi = totalAt(pr, muHi, xL); // the smallest total (tau = 0)
  let gLo = totalAt(pr, muLo, xU); // the largest total (tau = 1)
  let iterations = 0;
  let exactLevel = Number.NaN;
  const fill = (mu: number): void => {
    for (let i = 0; i < n; i++) {
      const t = Number.isNaN(exactLevel) ? 1 - mu * pr.r[i]! : exactLevel;
      tau[i] = t < 0 ? 0 : t;
    }
  };
  if (gHi > K) {
    // Even tau = 0 over-allocates: every allocation below the lower support ends is optimal; scale down.
    const f = gHi > 0 ? K / gHi : 0;
    for (let i = 0; i < n; i++) xL[i] = xL[i]! * f;
    fill(1);
    return { K, x: xL, tau, kind: 'degenerate-low', degenerate: true, iterations };
  }
  if (!(gLo >= K)) {
    // Even tau = 1 falls short (bounded supports): any split of the surplus is optimal; split it equally.
    let sw = 0;
    for (let i = 0; i < n; i++) sw += pr.w[i]!;
    const add = (K - gLo) / sw;
    for (let i = 0; i < n; i++) xU[i] = xU[i]! + add;
    fill(0);
    return { K, x: xU, tau, kind: 'degenerate-high', degenerate: true, iterations };
  }
  const work = pr.work;
  // Narrow the bracket on the known levels first: where a level's quantiles sum to K they are the answer exactly.
  const hints = pr.hints;
  if (hints.length > 0) {
    let lo = -1;
    let hi = hints.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      const p = hints[mid]!;
      const g = totalAtLevel(pr, p, work);
      iterations++;
      if (g === K) {
        exactLevel = p;
        fill(0);
        return { K, x: Float64Array.from(work), tau, kind: 'exact', degenerate: false, iterations };
      }
      if (g < K) {
        lo = mid;
        muHi = 1 - p;
        gHi = g;
        xL.set(work);
      } else {
        hi = mid;
        muLo = 1 - p;
        gLo = g;
        xU.set(work);
      }
    }
  }
  // xL holds the allocation at muHi (total gHi <= K), xU at muLo (total gLo >= K).
  // Illinois (regula falsi with the stale end's weight halved) alternating with bisection whenever a step fails to
  // halve the bracket; geometric steps while the bracket spans orders of magnitude (levels very close to 1). Stops
  // when a total equals K, when the two totals are within a few ulps of K (the combination below is then exact to
  // rounding), or when the bracket is two adjacent doubles (a jump of the total over K).
  const tolG = 4 * Number.EPSILON * Math.max(Math.abs(K), Number.MIN_VALUE);
  let wLo = 1;
  let wHi = 1;
  let side = 0;
  let bisectNext = false;
  for (;;) {
    if (gHi === K) {
      fill(muHi);
      return { K, x: xL, tau, kind: 'exact', degenerate: false, iterations };
    }
    if (gLo === K) {
      fill(muLo);
      return { K, x: xU, tau, kind: 'exact', degenerate: false, iterations };
    }
    if (gLo - gHi <= tolG) break;
    const width = muHi - muLo;
    let mu: number;
    if (muLo === 0) mu = muHi > 1e-300 ? muHi / 16 : muHi / 2;
    else if (muHi > 2 * muLo) mu = Math.sqrt(muLo * muHi);
    else if (bisectNext || !Number.isFinite(gLo)) mu = 0.5 * (muLo + muHi);
    else {
      const fLo = (gLo - K) * wLo;
      const fHi = (K - gHi) * wHi;
      mu = muLo + (fLo / (fLo + fHi)) * width;
      if (!(mu > muLo && mu < muHi)) mu = 0.5 * (muLo + muHi);
    }
    if (!(mu > muLo && mu < muHi)) break;
    const g = totalAt(pr, mu, work);
    iterations++;
    if (g < K) {
      muHi = mu;
      gHi = g;
      xL.set(work);
      wHi = 1;
      if (side === 1) wLo *= 0.5;
      side = 1;
    } else {
      muLo = mu;
      gLo = g;
      xU.set(work);
      wLo = 1;
      if (side === -1) wHi *= 0.5;
      side = -1;
    }
    bisectNext = !bisectNext && muHi - muLo > 0.5 * width;
  }
  // The bracket cannot be split: the total jumps from gHi to gLo across it. Convex combination hitting K.
  const x = new Float64Array(n);
  if (!Number.isFinite(gLo)) {
    // Only for K beyond every finite quantile total: the unbounded locations share the remainder equally.
    let sw = 0;
    for (let i = 0; i < n; i++) if (!Number.isFinite(xU[i]!)) sw += pr.w[i]!;
    const add = (K - gHi) / sw;
    for (let i = 0; i < n; i++) x[i] = xL[i]! + (Number.isFinite(xU[i]!) ? 0 : add);
    fill(muLo);
    return { K, x, tau, kind: 'jump', degenerate: false, iterations };
  }
  const theta = (K - gHi) / (gLo - gHi);
  for (let i = 0; i < n; i++) {
    const v = xL[i]! + theta * (xU[i]! - xL[i]!);
    x[i] = v > 0 ? v : 0;
  }
  fill(theta < 0.5 ? muHi : muLo);
  const jump = gLo - gHi > 1e-9 * Math.max(Math.abs(K), 1);
  return { K, x, tau, kind: jump ? 'jump' : 'exact', degenerate: false, iterations };
}

/**
 * Solves the allocation problem for every K: x_i = max(0, Q_i(tau)) with sum_i w_i x_i = K.
 *
 * @remarks
 * Supplement eqs. 7–9: minimise sum_i L_i E[(Y_i − x_i)_+] subject to sum_i w_i x_i = K, x >= 0. The KKT
 * conditions give L_i (1 − F_i(x_i)) = λ w_i, i.e. x_i = Q_i(tau_i) with tau_i = 1 − λ w_i / L_i; with equal
 * w_i / L_i (the paper's case) every location shares one level tau solving sum_i q_{tau, F_i} = K (eq. 9).
 * G(tau) = sum_i w_i max(0, Q_i(tau)) is non-decreasing; the solver first bisects over the marginals' known levels
 * (so when the quantiles at a level sum to K the allocation is exactly those quantiles), then brackets the root in
 * mu = 1 − tau (Illinois steps alternating with bisection, upper-tail quantiles evaluated from mu directly) until the
 * bracketing totals are within 4 ulps of K or the bracket is two adjacent doubles, and finishes with the convex
 * combination of the two bracketing vectors that sums to K exactly. Where G jumps over K (a point mass or a flat CDF stretch) the result is that combination
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
