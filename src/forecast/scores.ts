/**
 * Scores of forecasts against observations: the allocation score (raw, oracle, oracle-adjusted) of the seed paper,
 * and the quantile scores forecast hubs report (pinball loss, WIS and its parts, interval coverage, absolute error
 * of the median).
 */
import { AllotError } from '../core/errors.js';
import { show } from '../core/validate.js';

/** Result of {@link scoreAllocation}. */
export interface AllocationScore {
  /** Raw allocation score sum_i L_i (y_i − x_i)_+. */
  readonly raw: number;
  /** Oracle score: the smallest raw score any feasible allocation reaches for these y (L·max(0, sum y − K)). */
  readonly oracle: number;
  /** Oracle-adjusted score raw − oracle (what the paper's figures show; >= 0 up to rounding). */
  readonly adjusted: number;
  /** Per-location shortfall (y_i − x_i)_+. */
  readonly shortfall: Float64Array;
  /** The oracle allocation (y scaled or filled greedily to use K). */
  readonly oracleAllocation: Float64Array;
}

function perLocation(name: string, v: number | ArrayLike<number> | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (v === undefined || typeof v === 'number') {
    const c = v ?? 1;
    if (!(Number.isFinite(c) && c > 0)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must be a finite number > 0 (got ${show(c)})`);
    }
    return out.fill(c);
  }
  if (v.length !== n) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${name} must have one entry per location (${n}, got ${v.length})`,
    );
  }
  for (let i = 0; i < n; i++) {
    const c = v[i]!;
    if (!(Number.isFinite(c) && c > 0)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `${name}[${i}] must be a finite number > 0 (got ${show(c)})`,
      );
    }
    out[i] = c;
  }
  return out;
}

/**
 * The oracle allocation: the feasible allocation (sum_i w_i x_i = K capped at need, x >= 0) with the smallest
 * loss sum_i L_i (y_i − x_i)_+ once y is known.
 *
 * @remarks
 * A fractional knapsack: locations are filled up to y_i in decreasing order of L_i / w_i. With w = L = 1 this is
 * any allocation with x <= y using min(K, sum y), and the oracle score is L·max(0, sum_i y_i − K) (the paper's
 * oracle; alloscore's `oracle_allocate_direct` returns y·min(1, K / sum y), which has the same score).
 *
 * @param y - observations per location (length N, finite; negative values need nothing)
 * @param K - the stock, >= 0
 * @param opts - weights w (budget units per unit of x) and loss L, scalars or length N (default 1)
 * @returns the oracle allocation (length N)
 * @throws ALLOT_OUT_OF_RANGE for a negative K or non-positive weights/loss; ALLOT_NOT_FINITE for non-finite y.
 */
export function oracleAllocation(
  y: ArrayLike<number>,
  K: number,
  opts: { weights?: number | ArrayLike<number>; loss?: number | ArrayLike<number> } = {},
): Float64Array {
  const n = y.length;
  const w = perLocation('weights', opts.weights, n);
  const L = perLocation('loss', opts.loss, n);
  if (!(Number.isFinite(K) && K >= 0)) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `K must be a finite number >= 0 (got ${show(K)})`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new AllotError('ALLOT_NOT_FINITE', `y[${i}] must be finite (got ${show(y[i])})`);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => L[b]! / w[b]! - L[a]! / w[a]! || a - b);
  const x = new Float64Array(n);
  let left = K;
  for (const i of order) {
    const need = y[i]! > 0 ? y[i]! : 0;
    const take = Math.min(need, left / w[i]!);
    x[i] = take;
    left -= take * w[i]!;
    if (left <= 0) break;
  }
  return x;
}

/**
 * The allocation score of an allocation x at observations y, with its oracle and oracle-adjusted versions.
 *
 * @remarks
 * Main text eq. for S_A and supplement eq. 7: the raw score is s_A(x, y) = sum_i L_i (y_i − x_i)_+; the oracle score
 * is the raw score of {@link oracleAllocation} (= L·max(0, sum_i y_i − K) with equal w and L, computed in closed
 * form, not by alloscore's bisection, whose result is wrong when sum y exceeds K by less than 1 %); the
 * oracle-adjusted score is raw − oracle.
 *
 * References: Gerding, Reich, Rogers, Ray (2023), Evaluating infectious disease forecasts with allocation scoring
 * rules, arXiv:2312.16201.
 *
 * @param x - allocation per location (length N), e.g. `solveAllocation(...)[k].x`
 * @param y - observation per location (length N, finite)
 * @param K - the stock the allocation used (>= 0)
 * @param opts - weights w and loss L (default 1)
 * @returns raw, oracle and adjusted scores and the per-location shortfalls
 * @throws ALLOT_SHAPE_MISMATCH when x and y differ in length; ALLOT_NOT_FINITE for non-finite entries;
 *   ALLOT_OUT_OF_RANGE for a negative K.
 * @example
 * ```ts
 * scoreAllocation([2, 6], [3, 5], 8).raw; // 1
 * ```
 */
export function scoreAllocation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  K: number,
  opts: { weights?: number | ArrayLike<number>; loss?: number | ArrayLike<number> } = {},
): AllocationScore {
  const n = x.length;
  if (y.length !== n) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `x and y must have the same length (got ${n} and ${y.length})`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!))
      throw new AllotError('ALLOT_NOT_FINITE', `x[${i}] must be finite (got ${x[i]})`);
  }
  const L = perLocation('loss', opts.loss, n);
  const ox = oracleAllocation(y, K, opts);
  const shortfall = new Float64Array(n);
  let raw = 0;
  let oracle = 0;
  for (let i = 0; i < n; i++) {
    const s = y[i]! - x[i]!;
    shortfall[i] = s > 0 ? s : 0;
    raw += L[i]! * shortfall[i]!;
    const so = y[i]! - ox[i]!;
    if (so > 0) oracle += L[i]! * so;
  }
  return { raw, oracle, adjusted: raw - oracle, shortfall, oracleAllocation: ox };
}

/**
 * Pinball (quantile) loss of a quantile q at level tau for observation y.
 *
 * @remarks
 * QS_tau(q, y) = (1{y < q} − tau)(q − y) (Gneiting 2011, "Quantiles as optimal point forecasts"). Twice the mean
 * over a symmetric set of levels that includes the median is the WIS.
 *
 * @param tau - level in (0, 1)
 * @param q - the predictive quantile
 * @param y - the observation
 * @returns the loss (>= 0)
 * @example
 * ```ts
 * pinball(0.9, 10, 12); // 1.8
 * ```
 */
export function pinball(tau: number, q: number, y: number): number {
  return ((y < q ? 1 : 0) - tau) * (q - y);
}

/** WIS and the hub scores of one quantile forecast. */
export interface QuantileScores {
  /** Weighted interval score (Bracher et al. 2021), NaN-free: 0 parts when no interval. */
  readonly wis: number;
  /** Dispersion part: sum_k (alpha_k / 2)(u_k − l_k) / (K + 1/2). */
  readonly dispersion: number;
  /** Overprediction part: penalties for y below the intervals (and below the median). */
  readonly overprediction: number;
  /** Underprediction part: penalties for y above the intervals (and above the median). */
  readonly underprediction: number;
  /** Absolute error of the median |y − q_0.5| (null when level 0.5 is missing). */
  readonly aeMedian: number | null;
  /** 1 when y lies in [q_0.25, q_0.75], 0 otherwise, null when a level is missing. */
  readonly coverage50: number | null;
  /** 1 when y lies in [q_0.025, q_0.975], 0 otherwise, null when a level is missing. */
  readonly coverage95: number | null;
  /** Pinball loss per given level (same order as the input levels). */
  readonly pinball: Float64Array;
  /** Number of central intervals used (pairs tau, 1 − tau). */
  readonly intervals: number;
}

function findLevel(levels: ArrayLike<number>, p: number): number {
  for (let k = 0; k < levels.length; k++) if (Math.abs(levels[k]! - p) < 1e-9) return k;
  return -1;
}

/**
 * Scores one quantile forecast: WIS with its dispersion / overprediction / underprediction parts, pinball loss per
 * level, 50 % and 95 % interval coverage and the absolute error of the median.
 *
 * @remarks
 * WIS_{alpha_{0:K}}(F, y) = (1 / (K + 1/2)) · (w_0 |y − m| + sum_{k=1}^K w_k IS_{alpha_k}(F, y)), w_0 = 1/2,
 * w_k = alpha_k / 2, IS_alpha = (u − l) + (2/alpha)(l − y)1{y < l} + (2/alpha)(y − u)1{y > u} (Bracher, Ray,
 * Gneiting, Reich 2021, eq. 2–3; the convention of scoringutils). Intervals are the level pairs (tau, 1 − tau) with
 * tau < 0.5; a level without its partner is scored by pinball loss only. Without the median the w_0 term is dropped
 * (and K + 1/2 becomes K). Levels are matched to 1e-9.
 *
 * References: Bracher J, Ray EL, Gneiting T, Reich NG (2021), Evaluating epidemic forecasts in an interval format,
 * PLoS Comput Biol 17(2): e1008618, doi:10.1371/journal.pcbi.1008618.
 *
 * @param levels - quantile levels in (0, 1) (length n)
 * @param values - the quantiles at those levels (length n, finite)
 * @param y - the observation (finite)
 * @returns the scores
 * @throws ALLOT_SHAPE_MISMATCH when lengths differ; ALLOT_OUT_OF_RANGE for a level outside (0, 1);
 *   ALLOT_NOT_FINITE for a non-finite value or y.
 * @example
 * ```ts
 * scoreQuantiles([0.25, 0.5, 0.75], [8, 10, 12], 11).wis; // 1
 * ```
 */
export function scoreQuantiles(
  levels: ArrayLike<number>,
  values: ArrayLike<number>,
  y: number,
): QuantileScores {
  const n = levels.length;
  if (values.length !== n) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `levels and values must have the same length (got ${n} and ${values.length})`,
    );
  }
  if (!Number.isFinite(y)) throw new AllotError('ALLOT_NOT_FINITE', `y must be finite (got ${show(y)})`);
  const pin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const p = levels[k]!;
    const q = values[k]!;
    if (!(p > 0 && p < 1)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `levels[${k}] must be in (0, 1) (got ${show(p)})`);
    }
    if (!Number.isFinite(q))
      throw new AllotError('ALLOT_NOT_FINITE', `values[${k}] must be finite (got ${q})`);
    pin[k] = pinball(p, q, y);
  }
  let disp = 0;
  let over = 0;
  let under = 0;
  let nInt = 0;
  for (let k = 0; k < n; k++) {
    const p = levels[k]!;
    if (!(p < 0.5 - 1e-9)) continue;
    const j = findLevel(levels, 1 - p);
    if (j < 0) continue;
    const l = Math.min(values[k]!, values[j]!);
    const u = Math.max(values[k]!, values[j]!);
    const alpha = 2 * p;
    nInt++;
    disp += (alpha / 2) * (u - l);
    if (y < l) over += l - y;
    if (y > u) under += y - u;
  }
  const km = findLevel(levels, 0.5);
  let denom = nInt;
  let aeMedian: number | null = null;
  if (km >= 0) {
    const m = values[km]!;
    aeMedian = Math.abs(y - m);
    denom += 0.5;
    if (y < m) over += 0.5 * (m - y);
    if (y > m) under += 0.5 * (y - m);
  }
  let wis = 0;
  let dispersion = 0;
  let overprediction = 0;
  let underprediction = 0;
  if (denom > 0) {
    dispersion = disp / denom;
    overprediction = over / denom;
    underprediction = under / denom;
    wis = dispersion + overprediction + underprediction;
  }
  const cover = (a: number, b: number): number | null => {
    const i = findLevel(levels, a);
    const j = findLevel(levels, b);
    if (i < 0 || j < 0) return null;
    return y >= Math.min(values[i]!, values[j]!) && y <= Math.max(values[i]!, values[j]!) ? 1 : 0;
  };
  return {
    wis,
    dispersion,
    overprediction,
    underprediction,
    aeMedian,
    coverage50: cover(0.25, 0.75),
    coverage95: cover(0.025, 0.975),
    pinball: pin,
    intervals: nInt,
  };
}
