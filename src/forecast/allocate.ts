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
  /** r_i = (w_i / L_i) / min_j (w_j / L_j) >= 1; null when all equal (tau_i = s). */
  readonly r: Float64Array | null;
  /** Sorted distinct hint levels (uniform case only). */
  readonly hints: Float64Array;
  readonly work: Float64Array;
}

function levelOf(pr: Problem, i: number, s: number): number {
  const r = pr.r;
  if (r === null) return s;
  const t = 1 - (1 - s) * r[i]!;
  return t < 0 ? 0 : t;
}

/** Fills `out` with x_i(s) = max(0, Q_i(tau_i(s))) and returns sum_i w_i x_i. */
function totalAt(pr: Problem, s: number, out: Float64Array): number {
  let sum = 0;
  const n = pr.n;
  const w = pr.w;
  for (let i = 0; i < n; i++) {
    const q = pr.marginals[i]!.quantile(levelOf(pr, i, s));
    const x = q > 0 ? q : 0;
    out[i] = x;
    sum += w[i]! * x;
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
  let r: Float64Array | null = null;
  let hints = new Float64Array(0);
  if (!uniform) {
    r = new Float64Array(n);
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
  return { n, marginals, w, r, hints, work: new Float64Array(n) };
}

function solveOne(pr: Problem, K: number): Allocation {
  const n = pr.n;
  const xL = new Float64Array(n);
  const xU = new Float64Array(n);
  const tau = new Float64Array(n);
  // Bracket [sL, sU] with G(sL) <= K <= G(sU); G non-decreasing in s.
  let sL = 0;
  let sU = 1;
  let gL = totalAt(pr, sL, xL);
  let gU = totalAt(pr, sU, xU);
  let iterations = 0;
  const fill = (s: number): void => {
    for (let i = 0; i < n; i++) tau[i] = levelOf(pr, i, s);
  };
  if (gL > K) {
    // Even tau = 0 over-allocates: every allocation below the lower support ends is optimal; scale down.
    const f = gL > 0 ? K / gL : 0;
    for (let i = 0; i < n; i++) xL[i] = xL[i]! * f;
    fill(0);
    return { K, x: xL, tau, kind: 'degenerate-low', degenerate: true, iterations };
  }
  if (!(gU >= K)) {
    // Even tau = 1 falls short (bounded supports): any split of the surplus is optimal; split it equally.
    let sw = 0;
    for (let i = 0; i < n; i++) sw += pr.w[i]!;
    const add = (K - gU) / sw;
    for (let i = 0; i < n; i++) xU[i] = xU[i]! + add;
    fill(1);
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
      const s = hints[mid]!;
      const g = totalAt(pr, s, work);
      iterations++;
      if (g === K) {
        fill(s);
        return { K, x: Float64Array.from(work), tau, kind: 'exact', degenerate: false, iterations };
      }
      if (g < K) {
        lo = mid;
        sL = s;
        gL = g;
        xL.set(work);
      } else {
        hi = mid;
        sU = s;
        gU = g;
        xU.set(work);
      }
    }
  }
  for (;;) {
    if (gL === K) {
      fill(sL);
      return { K, x: xL, tau, kind: 'exact', degenerate: false, iterations };
    }
    if (gU === K) {
      fill(sU);
      return { K, x: xU, tau, kind: 'exact', degenerate: false, iterations };
    }
    const s = 0.5 * (sL + sU);
    if (s <= sL || s >= sU || sU - sL <= 1e-17) break;
    const g = totalAt(pr, s, work);
    iterations++;
    if (g < K) {
      sL = s;
      gL = g;
      xL.set(work);
    } else {
      sU = s;
      gU = g;
      xU.set(work);
    }
  }
  // The bracket cannot be split: G jumps from gL to gU across it. Convex combination hitting K.
  const x = new Float64Array(n);
  if (!Number.isFinite(gU)) {
    // Only for K beyond every finite quantile total: the unbounded locations share the remainder equally.
    let sw = 0;
    for (let i = 0; i < n; i++) if (!Number.isFinite(xU[i]!)) sw += pr.w[i]!;
    const add = (K - gL) / sw;
    for (let i = 0; i < n; i++) x[i] = xL[i]! + (Number.isFinite(xU[i]!) ? 0 : add);
    fill(sU);
    return { K, x, tau, kind: 'jump', degenerate: false, iterations };
  }
  const theta = (K - gL) / (gU - gL);
  for (let i = 0; i < n; i++) {
    const v = xL[i]! + theta * (xU[i]! - xL[i]!);
    x[i] = v > 0 ? v : 0;
  }
  fill(theta < 0.5 ? sL : sU);
  const jump = gU - gL > 1e-9 * Math.max(Math.abs(K), 1);
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
 * (so when the quantiles at a level sum to K the allocation is exactly those quantiles), then bisects tau until the
 * bracket is two adjacent doubles, and finishes with the convex combination of the two bracketing vectors that sums
 * to K exactly. Where G jumps over K (a point mass or a flat CDF stretch) the result is that combination
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
