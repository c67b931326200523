/**
 * Position-bias (examination probability) estimators for the position-based model: known ("Real"), CTR per
 * position, Bayesian probit regression per position (adPredictor), and EM with γ = σ(x^T θ̂). Each comes in an
 * online form used inside the PBM ranking bandits and, where it makes sense, a batch form for click logs.
 *
 * @remarks
 * - CTR (Eq. 2–3 of Ermis et al. 2020): ρ_ℓ = Σ clicks at ℓ / #impressions at ℓ, q̂_ℓ = ρ_ℓ / ρ_1.
 * - PR (§4.2), two forms (`probitModel`):
 *   - 'shared' (default): ONE adPredictor on [x; e_ℓ] (the item's features plus a one-hot of the position), i.e.
 *     P(C=1|x,ℓ) = Φ((w^T x + c_ℓ)/Σ): a shared item part and a per-position offset. q̂_ℓ = Σ_a P̂(x_a, ℓ) /
 *     Σ_a P̂(x_a, 1) over the round's candidates (the expected clicks of the same items moved from position 1 to ℓ).
 *     Every position's effect is learned on all the data, so nothing is extrapolated from the few items a lower
 *     position saw, and no clip is needed (the ratio is < 1 whenever c_ℓ < c_1).
 *   - 'per-position' (the paper's literal form): one model per position; q̂_ℓ = P̂_ℓ(x,a)/P̂_1(x,a) averaged over
 *     the round's candidates, each ratio clipped at 1.
 *   Both then set q̂_1 = 1 and clip to [floor, 1]. β defaults to 1: with β = 0.1 the per-weight variances
 *   collapse (1e-6 to 3e-5 after a few thousand clicks) and the fit is overconfident (docs/rank.md has the
 *   measurements).
 * - EM (Eq. 6–7, per-position averaging as in Wang et al. 2018): e = c + (1−c) q̂_ℓ(1−γ)/(1−q̂_ℓ γ),
 *   q̂_ℓ = Σ_{entries at ℓ} e / N_ℓ, with γ = σ(x^T θ̂) (or clip(x^T θ̂, 0.01, 0.99)). EM estimates q̂_1 too.
 * - Before any data, q̂_ℓ = 1/(ℓ + ε), ε ~ U(0, 0.1) (ℓ 1-based; the paper's §6.2 initialisation); CTR and PR
 *   still fix q̂_1 = 1. Estimates are clipped to [floor, 1] (floor 1e-3). Online EM counts the initialisation as
 *   one pseudo-observation per position (an [A] choice: otherwise one early click makes q̂_ℓ = 1, a fixed point of
 *   the E-step).
 *
 * References:
 * - B. Ermis et al., "Learning to Rank in the Position Based Model with Bandit Feedback", arXiv:2004.13106, §4, §6.2.
 * - X. Wang, N. Golbandi, M. Bendersky, D. Metzler, M. Najork, "Position bias estimation for unbiased learning to
 *   rank in personal search", WSDM 2018. doi:10.1145/3159652.3159732.
 * - T. Graepel et al., "Web-scale Bayesian click-through rate prediction ...", ICML 2010.
 */
import { normalCdf } from '../../core/dist.js';
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInInterval, assertInteger, assertOneOf } from '../../core/validate.js';
import {
  type AdPredictor,
  adPredictorProbability,
  adPredictorUpdate,
  createAdPredictor,
} from './ad-predictor.js';

/** How a PBM ranker gets its q: none (naive, q = 1), real (known), or one of the estimators. */
export type BiasMethod = 'none' | 'real' | 'ctr' | 'probit' | 'em';

/** The accepted {@link BiasMethod} names. */
export const BIAS_METHODS: readonly BiasMethod[] = ['none', 'real', 'ctr', 'probit', 'em'];

/** The relevance link γ = link(x^T θ̂) of the EM estimator. */
export type EmLink = 'sigmoid' | 'clip';

/** The probit estimator's model: one shared item part with per-position offsets, or one model per position. */
export type ProbitModel = 'shared' | 'per-position';

/** The accepted {@link ProbitModel} names. */
export const PROBIT_MODELS: readonly ProbitModel[] = ['shared', 'per-position'];

/** Known (or naive, all ones) examination probabilities. */
export interface FixedBias {
  readonly kind: 'none' | 'real';
  readonly q: Float64Array;
}

/** Running sums of the CTR or EM estimator (additive per position). */
export interface CountingBias {
  readonly kind: 'ctr' | 'em';
  readonly init: Float64Array;
  readonly sum: Float64Array;
  readonly count: Float64Array;
  readonly link: EmLink;
  readonly floor: number;
}

/**
 * Probit estimator: one adPredictor per position ('per-position'), or one on [x; e_ℓ] ('shared', `models` has one
 * entry of dimension d + L).
 */
export interface ProbitBias {
  readonly kind: 'probit';
  readonly model: ProbitModel;
  readonly init: Float64Array;
  readonly models: AdPredictor[];
  readonly floor: number;
  /** 'shared': scratch for [x; e_ℓ] (length d + L). */
  readonly scratch: Float64Array;
  /**
   * 'shared': discounted sums over evaluated rounds of Σ_a P̂(x_a, ℓ) (length L); q̂_ℓ = sums[ℓ]/sums[0]. Every
   * `every`-th update evaluates the round's candidates and adds them after multiplying the old sums by `decay`, so
   * q̂ averages over about every/(1 − decay) rounds instead of jumping with each round's candidate set.
   */
  readonly sums: Float64Array;
  readonly every: number;
  readonly decay: number;
  /** Which items the shared sums run over: the round's candidates or only the L items shown. */
  readonly average: ProbitAverage;
  updates: number;
}

/** Which items the shared probit's q̂ averages over. */
export type ProbitAverage = 'candidates' | 'shown';

/** Online estimator state (plain data). */
export type PositionBiasEstimator = FixedBias | CountingBias | ProbitBias;

function isFixed(e: PositionBiasEstimator): e is FixedBias {
  return e.kind === 'none' || e.kind === 'real';
}

function isCounting(e: PositionBiasEstimator): e is CountingBias {
  return e.kind === 'ctr' || e.kind === 'em';
}

/** Options of {@link createPositionBiasEstimator}. */
export interface PositionBiasOptions {
  /** Number of positions L >= 1. */
  readonly positions: number;
  /** Feature dimension d (probit). */
  readonly d: number;
  /** Known q (required for 'real'). */
  readonly trueBias?: ArrayLike<number>;
  /** EM link (default 'sigmoid'). */
  readonly emLink?: EmLink;
  /** adPredictor noise scale β (default 1: the value that keeps the probit calibrated; docs/rank.md). */
  readonly probitBeta?: number;
  /** Probit model (default 'shared'). */
  readonly probitModel?: ProbitModel;
  /** Shared probit: evaluate q̂ on the candidates of every this many rounds (default 10). */
  readonly probitEvery?: number;
  /** Shared probit: discount of the older evaluations (default 0.9). */
  readonly probitDecay?: number;
  /** Shared probit: average over the round's candidates or the shown items (default 'shown'). */
  readonly probitAverage?: ProbitAverage;
  /** Lower clip of the estimates (default 1e-3). */
  readonly floor?: number;
}

/**
 * The initialisation q̂_ℓ = 1/(ℓ + ε), ε ~ U(0, 0.1), ℓ = 1..L (Ermis et al. 2020, §6.2).
 *
 * @param positions - L >= 1.
 * @param rng - randomness for ε (one draw).
 * @returns the L initial values.
 */
export function initialPositionBias(positions: number, rng: Rng): Float64Array {
  assertInteger('positions', positions, 1);
  const eps = 0.1 * rng.uniform();
  const q = new Float64Array(positions);
  for (let l = 0; l < positions; l++) q[l] = 1 / (l + 1 + eps);
  return q;
}

/**
 * Creates an online position-bias estimator.
 *
 * @param method - 'none' | 'real' | 'ctr' | 'probit' | 'em'.
 * @param options - positions, dimension, known bias for 'real'.
 * @param rng - randomness of the initialisation.
 * @throws ALLOT_UNKNOWN_OPTION for an unknown method; ALLOT_INVALID_CONFIG when 'real' lacks `trueBias`;
 *   ALLOT_SHAPE_MISMATCH / ALLOT_OUT_OF_RANGE for a bad `trueBias`.
 */
export function createPositionBiasEstimator(
  method: BiasMethod,
  options: PositionBiasOptions,
  rng: Rng,
): PositionBiasEstimator {
  assertOneOf('bias method', method, BIAS_METHODS);
  const L = options.positions;
  assertInteger('positions', L, 1);
  const floor = options.floor ?? 1e-3;
  if (method === 'none') return { kind: 'none', q: new Float64Array(L).fill(1) };
  if (method === 'real') {
    const tb = options.trueBias;
    if (tb === undefined) throw new AllotError('ALLOT_INVALID_CONFIG', 'bias method "real" needs trueBias');
    if (tb.length !== L) {
      throw new AllotError('ALLOT_SHAPE_MISMATCH', `trueBias must have ${L} entries (got ${tb.length})`);
    }
    const q = new Float64Array(L);
    for (let l = 0; l < L; l++) {
      const v = tb[l]!;
      if (!(v > 0 && v <= 1))
        throw new AllotError('ALLOT_OUT_OF_RANGE', `trueBias[${l}] must be in (0, 1] (got ${v})`);
      q[l] = v;
    }
    return { kind: 'real', q };
  }
  const init = initialPositionBias(L, rng);
  if (method === 'ctr' || method === 'probit') init[0] = 1;
  if (method === 'probit') {
    const model = assertOneOf('probitModel', options.probitModel ?? 'shared', PROBIT_MODELS);
    const beta = options.probitBeta ?? 1;
    const models: AdPredictor[] = [];
    if (model === 'shared') models.push(createAdPredictor({ dim: options.d + L, beta }));
    else for (let l = 0; l < L; l++) models.push(createAdPredictor({ dim: options.d, beta }));
    const scratch = new Float64Array(model === 'shared' ? options.d + L : 0);
    const every = options.probitEvery ?? 10;
    const decay = options.probitDecay ?? 0.9;
    assertInteger('probitEvery', every, 1, 1_000_000);
    assertInInterval('probitDecay', decay, 0, 1, false, true);
    const sums = new Float64Array(L);
    const average = assertOneOf('probitAverage', options.probitAverage ?? 'shown', [
      'candidates',
      'shown',
    ] as const);
    return { kind: 'probit', model, init, models, floor, scratch, sums, every, decay, average, updates: 0 };
  }
  // EM: the initialisation counts as one pseudo-observation. Without it the first click at a position sets
  // q̂_ℓ = 1, and q̂ = 1 is a fixed point of the E-step (e = c + (1 − c)·1 = 1), so the estimate never leaves 1.
  const sum = new Float64Array(L);
  const count = new Float64Array(L);
  if (method === 'em') {
    sum.set(init);
    count.fill(1);
  }
  return {
    kind: method,
    init,
    sum,
    count,
    link: options.emLink ?? 'sigmoid',
    floor,
  };
}

function clipQ(v: number, floor: number): number {
  return v < floor ? floor : Math.min(v, 1);
}

/**
 * Feeds one round's feedback to the estimator. `qNow` is the q̂ in force; `theta` the ridge estimate before the
 * round (EM's γ). O(L d) (probit: O(L d)). No allocation.
 *
 * @remarks Kernel: list holds L valid candidate indices, z finite, xs k*d finite.
 */
export function updatePositionBias(
  est: PositionBiasEstimator,
  xs: Float64Array,
  d: number,
  list: Int32Array,
  z: Float64Array,
  qNow: Float64Array,
  theta: Float64Array,
  rng: Rng,
): void {
  const L = list.length;
  if (isFixed(est)) return;
  if (!isCounting(est)) {
    const shared = est.model === 'shared';
    const buf = est.scratch;
    for (let l = 0; l < L; l++) {
      const c = z[l]!;
      const click = c >= 1 ? true : c <= 0 ? false : rng.uniform() < c;
      if (shared) {
        const off = list[l]! * d;
        for (let i = 0; i < d; i++) buf[i] = xs[off + i]!;
        for (let m = 0; m < L; m++) buf[d + m] = m === l ? 1 : 0;
        adPredictorUpdate(est.models[0]!, buf, 0, click ? 1 : -1);
      } else {
        adPredictorUpdate(est.models[l]!, xs, list[l]! * d, click ? 1 : -1);
      }
    }
    if (shared && est.updates++ % est.every === 0) {
      const dec = est.decay;
      for (let m = 0; m < L; m++) est.sums[m]! *= dec;
      if (est.average === 'shown') sharedSums(est, xs, L, d, est.sums, list);
      else sharedSums(est, xs, xs.length / d, d, est.sums, null);
    }
    return;
  }
  if (est.kind === 'ctr') {
    for (let l = 0; l < L; l++) {
      est.sum[l]! += z[l]!;
      est.count[l]! += 1;
    }
    return;
  }
  for (let l = 0; l < L; l++) {
    const off = list[l]! * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += xs[off + i]! * theta[i]!;
    const gamma = est.link === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s < 0.01 ? 0.01 : Math.min(s, 0.99);
    let c = z[l]!;
    c = c < 0 ? 0 : Math.min(c, 1);
    const q = qNow[l]!;
    const e = c + ((1 - c) * q * (1 - gamma)) / (1 - q * gamma);
    est.sum[l]! += e;
    est.count[l]! += 1;
  }
}

/**
 * The current estimate q̂ (length L) written into `out`. For probit, the ratio is averaged over the k candidates
 * of `xs` (the current round). No allocation.
 */
export function currentPositionBias(
  est: PositionBiasEstimator,
  xs: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): Float64Array {
  const L = out.length;
  if (isFixed(est)) {
    out.set(est.q);
    return out;
  }
  if (!isCounting(est)) return probitCurrent(est, xs, k, d, out);
  if (est.kind === 'ctr') {
    const c0 = est.count[0]!;
    const rho1 = c0 > 0 ? est.sum[0]! / c0 : 0;
    out[0] = 1;
    for (let l = 1; l < L; l++) {
      const c = est.count[l]!;
      out[l] = c > 0 && rho1 > 0 ? clipQ(est.sum[l]! / c / rho1, est.floor) : est.init[l]!;
    }
    return out;
  }
  for (let l = 0; l < L; l++) {
    const c = est.count[l]!;
    out[l] = c > 0 ? clipQ(est.sum[l]! / c, est.floor) : est.init[l]!;
  }
  return out;
}

function probitCurrent(
  est: ProbitBias,
  xs: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): Float64Array {
  const L = out.length;
  if (est.model === 'shared') return probitSharedCurrent(est, xs, k, d, out);
  const m1 = est.models[0]!;
  out[0] = 1;
  for (let l = 1; l < L; l++) {
    const m = est.models[l]!;
    if (m.n === 0 || m1.n === 0) {
      out[l] = est.init[l]!;
      continue;
    }
    let s = 0;
    for (let a = 0; a < k; a++) {
      const p1 = adPredictorProbability(m1, xs, a * d);
      const pl = adPredictorProbability(m, xs, a * d);
      const r = p1 > 0 ? pl / p1 : 1;
      s += Math.min(r, 1);
    }
    out[l] = clipQ(s / k, est.floor);
  }
  return out;
}

/**
 * Shared-model probit q̂: q̂_ℓ = Σ_a Φ((m_a + μ_ℓ)/sqrt(v_a + σ_ℓ²)) / Σ_a Φ((m_a + μ_1)/sqrt(v_a + σ_1²)), where
 * m_a, v_a are the predictive mean and variance of candidate a's item part (bias weight included).
 */
function probitSharedCurrent(
  est: ProbitBias,
  xs: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): Float64Array {
  const L = out.length;
  const m = est.models[0]!;
  out[0] = 1;
  if (m.n === 0) {
    for (let l = 1; l < L; l++) out[l] = est.init[l]!;
    return out;
  }
  // the discounted sums of past evaluations, or (before the first) the given candidates
  const sums = est.sums;
  if (sums[0]! > 0) {
    for (let l = 1; l < L; l++) out[l] = clipQ(sums[l]! / sums[0]!, est.floor);
    return out;
  }
  out.fill(0);
  sharedSums(est, xs, k, d, out, null);
  const p1 = out[0]!;
  out[0] = 1;
  for (let l = 1; l < L; l++) out[l] = p1 > 0 ? clipQ(out[l]! / p1, est.floor) : est.init[l]!;
  return out;
}

/** Adds Σ_a P̂(x_a, ℓ) over k candidates to acc[ℓ] (shared probit). O(k (d + L)) with k·L normal CDFs. */
function sharedSums(
  est: ProbitBias,
  xs: Float64Array,
  k: number,
  d: number,
  acc: Float64Array,
  which: Int32Array | null,
): void {
  const L = acc.length;
  const m = est.models[0]!;
  const mu = m.mu;
  const s2 = m.s2;
  const base = m.beta * m.beta + s2[0]!;
  for (let a = 0; a < k; a++) {
    const off = (which === null ? a : which[a]!) * d;
    let mean = mu[0]!;
    let v = base;
    for (let i = 0; i < d; i++) {
      const xi = xs[off + i]!;
      if (xi === 0) continue;
      mean += mu[i + 1]! * xi;
      v += xi * xi * s2[i + 1]!;
    }
    for (let l = 0; l < L; l++) acc[l]! += normalCdf((mean + mu[d + 1 + l]!) / Math.sqrt(v + s2[d + 1 + l]!));
  }
}

/** Per-position click-through rates and the CTR position bias of a click log. */
export interface CtrBias {
  /** Impressions per position. */
  readonly impressions: Float64Array;
  /** Clicks per position. */
  readonly clicks: Float64Array;
  /** ρ_ℓ = clicks / impressions (NaN-free: 0 for an empty position). */
  readonly ctr: Float64Array;
  /** q̂_ℓ = ρ_ℓ / ρ_1 (0 when ρ_1 = 0). */
  readonly q: Float64Array;
}

function checkLog(positions: ArrayLike<number>, clicks: ArrayLike<number>, L: number): void {
  assertInteger('positions count', L, 1);
  if (positions.length !== clicks.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `positions and clicks must have the same length (got ${positions.length} and ${clicks.length})`,
    );
  }
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    if (!(Number.isInteger(p) && p >= 0 && p < L)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `position of entry ${i} must be an integer in [0, ${L - 1}] (got ${p})`,
      );
    }
    const c = clicks[i]!;
    if (!(c >= 0 && c <= 1)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `click of entry ${i} must be in [0, 1] (got ${c})`);
    }
  }
}

function checkWeights(weights: ArrayLike<number> | undefined, n: number): void {
  if (weights === undefined) return;
  if (weights.length !== n) {
    throw new AllotError('ALLOT_SHAPE_MISMATCH', `weights must have ${n} entries (got ${weights.length})`);
  }
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w > 0 && Number.isFinite(w))) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `weight of entry ${i} must be finite and > 0 (got ${w})`);
    }
  }
}

/**
 * CTR per position (Eq. 2–3) and q̂_ℓ = ρ_ℓ / ρ_1 for a click log.
 *
 * @remarks With weights (inverse logged propensities), ρ_ℓ = Σ_{i at ℓ} w_i c_i / Σ_{i at ℓ} w_i, the
 * self-normalised importance-weighted CTR: it reweights the items shown at each position to the same (uniform)
 * item distribution, so ρ_ℓ/ρ_1 estimates q_ℓ/q_1 also when the logging policy put better items on top.
 * `impressions` and `clicks` stay raw counts.
 * @param positions - 0-based position of each entry.
 * @param clicks - click (0/1, or an expected click in [0, 1]) of each entry.
 * @param L - number of positions.
 * @param weights - optional positive weight per entry (default: all 1).
 * @throws ALLOT_SHAPE_MISMATCH / ALLOT_OUT_OF_RANGE for a bad log.
 */
export function ctrPositionBias(
  positions: ArrayLike<number>,
  clicks: ArrayLike<number>,
  L: number,
  weights?: ArrayLike<number>,
): CtrBias {
  checkLog(positions, clicks, L);
  checkWeights(weights, positions.length);
  const impressions = new Float64Array(L);
  const clk = new Float64Array(L);
  const wSum = new Float64Array(L);
  const wClk = new Float64Array(L);
  for (let i = 0; i < positions.length; i++) {
    const l = positions[i]!;
    const w = weights === undefined ? 1 : weights[i]!;
    impressions[l]! += 1;
    clk[l]! += clicks[i]!;
    wSum[l]! += w;
    wClk[l]! += w * clicks[i]!;
  }
  const ctr = new Float64Array(L);
  for (let l = 0; l < L; l++) ctr[l] = wSum[l]! > 0 ? wClk[l]! / wSum[l]! : 0;
  const q = new Float64Array(L);
  for (let l = 0; l < L; l++) q[l] = ctr[0]! > 0 ? ctr[l]! / ctr[0]! : 0;
  return { impressions, clicks: clk, ctr, q };
}

/** Options of {@link emPositionBias}. */
export interface EmOptions {
  /** Fixed relevance γ per entry (then only q is estimated, as in the PBM paper). */
  readonly gamma?: ArrayLike<number>;
  /** Item index per entry (plain EM estimates one γ per item); required when `gamma` is absent. */
  readonly items?: ArrayLike<number>;
  /** Number of items (default max item + 1). */
  readonly nItems?: number;
  /** Starting q (default 1/(ℓ + 0.05)). */
  readonly init?: ArrayLike<number>;
  /** Starting relevance per item when items are estimated (default 0.5). */
  readonly initGamma?: ArrayLike<number>;
  /** Maximum iterations (default 500). */
  readonly maxIterations?: number;
  /** Stop when max |Δq| < tol (default 1e-9). */
  readonly tol?: number;
  /** Positive weight per entry (inverse logged propensities); the M-steps become weighted means. */
  readonly weights?: ArrayLike<number>;
}

/** Result of {@link emPositionBias}. */
export interface EmResult {
  /** Estimated examination probabilities (not normalised). */
  readonly q: Float64Array;
  /** Estimated relevance per item (when estimated), else null. */
  readonly gamma: Float64Array | null;
  readonly iterations: number;
  readonly converged: boolean;
  /** Log-likelihood (Eq. 5) at the estimate. */
  readonly logLikelihood: number;
}

/**
 * Batch EM for the position-based model (Eq. 5–7 of Ermis et al. 2020; Wang et al. 2018).
 *
 * @remarks
 * E-step: P(E=1|c) = c + (1−c) q_ℓ(1−γ)/(1−q_ℓγ), P(R=1|c) = c + (1−c)(1−q_ℓ)γ/(1−q_ℓγ).
 * M-step: q_ℓ = mean over entries at ℓ of P(E=1|c); with items, γ_i = mean over entries of item i of P(R=1|c).
 * With items, q and γ are identified only up to a common factor (q·γ is what the clicks see): compare q_ℓ/q_1.
 * @param positions - 0-based positions.
 * @param clicks - clicks in [0, 1].
 * @param L - number of positions.
 * @param options - fixed γ or item indices, starting point, stopping rule.
 * @throws ALLOT_SHAPE_MISMATCH / ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad inputs.
 */
export function emPositionBias(
  positions: ArrayLike<number>,
  clicks: ArrayLike<number>,
  L: number,
  options: EmOptions,
): EmResult {
  checkLog(positions, clicks, L);
  const n = positions.length;
  const wts = options.weights;
  checkWeights(wts, n);
  const maxIt = options.maxIterations ?? 500;
  const tol = options.tol ?? 1e-9;
  const q = new Float64Array(L);
  for (let l = 0; l < L; l++) q[l] = options.init?.[l] ?? 1 / (l + 1.05);
  const fixed = options.gamma;
  let gammaItems: Float64Array | null = null;
  let items: ArrayLike<number> | null = null;
  if (fixed !== undefined) {
    if (fixed.length !== n) {
      throw new AllotError('ALLOT_SHAPE_MISMATCH', `gamma must have ${n} entries (got ${fixed.length})`);
    }
    for (let i = 0; i < n; i++) {
      const g = fixed[i]!;
      if (!(g >= 0 && g <= 1))
        throw new AllotError('ALLOT_OUT_OF_RANGE', `gamma[${i}] must be in [0, 1] (got ${g})`);
    }
  } else {
    if (options.items === undefined) {
      throw new AllotError('ALLOT_INVALID_ARGUMENT', 'emPositionBias needs either gamma or items');
    }
    items = options.items;
    if (items.length !== n) {
      throw new AllotError('ALLOT_SHAPE_MISMATCH', `items must have ${n} entries (got ${items.length})`);
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      const it = items[i]!;
      if (!(Number.isInteger(it) && it >= 0)) {
        throw new AllotError('ALLOT_OUT_OF_RANGE', `items[${i}] must be a non-negative integer (got ${it})`);
      }
      if (it + 1 > m) m = it + 1;
    }
    gammaItems = new Float64Array(options.nItems ?? m).fill(0.5);
    const g0 = options.initGamma;
    if (g0 !== undefined) for (let j = 0; j < gammaItems.length && j < g0.length; j++) gammaItems[j] = g0[j]!;
  }
  const sumE = new Float64Array(L);
  const cnt = new Float64Array(L);
  const sumR = gammaItems === null ? null : new Float64Array(gammaItems.length);
  const cntR = gammaItems === null ? null : new Float64Array(gammaItems.length);
  const prevRatio = new Float64Array(L);
  for (let l = 0; l < L; l++) prevRatio[l] = q[0]! > 0 ? q[l]! / q[0]! : 0;
  let it = 0;
  let converged = false;
  for (; it < maxIt; ) {
    sumE.fill(0);
    cnt.fill(0);
    sumR?.fill(0);
    cntR?.fill(0);
    for (let i = 0; i < n; i++) {
      const l = positions[i]!;
      const c = clicks[i]!;
      const g = fixed !== undefined ? fixed[i]! : gammaItems![items![i]!]!;
      const ql = q[l]!;
      const den = 1 - ql * g;
      const pe = den > 0 ? c + ((1 - c) * ql * (1 - g)) / den : 1;
      const w = wts === undefined ? 1 : wts[i]!;
      sumE[l]! += w * pe;
      cnt[l]! += w;
      if (sumR !== null) {
        const pr = den > 0 ? c + ((1 - c) * (1 - ql) * g) / den : 1;
        sumR[items![i]!]! += w * pr;
        cntR![items![i]!]! += w;
      }
    }
    // Convergence is judged on identified quantities: q itself when γ is fixed; otherwise q_ℓ/q_1 and q_1·γ_j
    // (the scale of q and γ is not identified, and EM drifts slowly along that ridge).
    let delta = 0;
    const q1Old = q[0]!;
    for (let l = 0; l < L; l++) {
      const v = cnt[l]! > 0 ? sumE[l]! / cnt[l]! : q[l]!;
      if (gammaItems === null) delta = Math.max(delta, Math.abs(v - q[l]!));
      q[l] = v;
    }
    if (gammaItems !== null) {
      const q1New = q[0]!;
      for (let l = 1; l < L; l++) {
        const before = q1Old > 0 ? prevRatio[l]! : 0;
        const now = q1New > 0 ? q[l]! / q1New : 0;
        delta = Math.max(delta, Math.abs(now - before));
        prevRatio[l] = now;
      }
      for (let j = 0; j < gammaItems.length; j++) {
        const v = cntR![j]! > 0 ? sumR![j]! / cntR![j]! : gammaItems[j]!;
        delta = Math.max(delta, Math.abs(q1New * v - q1Old * gammaItems[j]!));
        gammaItems[j] = v;
      }
    }
    it++;
    if (delta < tol) {
      converged = true;
      break;
    }
  }
  let ll = 0;
  for (let i = 0; i < n; i++) {
    const g = fixed !== undefined ? fixed[i]! : gammaItems![items![i]!]!;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, q[positions[i]!]! * g));
    const c = clicks[i]!;
    ll += c * Math.log(p) + (1 - c) * Math.log(1 - p);
  }
  return { q, gamma: gammaItems, iterations: it, converged, logLikelihood: ll };
}

/** Options of {@link probitPositionBias}. */
export interface ProbitLogOptions {
  /** adPredictor β (default 1). */
  readonly beta?: number;
  /** 'shared' (default): one model on [x; e_ℓ]; 'per-position': one model per position. */
  readonly model?: ProbitModel;
  /** Positive weight per entry (inverse logged propensities) for the averages over entries. */
  readonly weights?: ArrayLike<number>;
}

/**
 * Probit (adPredictor) position bias of a click log, trained in log order.
 *
 * @remarks
 * - 'shared' (default): one model on [x; e_ℓ], P(C=1|x,ℓ) = Φ((w^T x + c_ℓ)/Σ); q̂_ℓ = Σ_i w_i P̂(x_i, ℓ) /
 *   Σ_i w_i P̂(x_i, 1) over all entries: the expected clicks of the logged items if each were shown at ℓ instead
 *   of 1. The item part is learned on every position's data, so no position's fit is extrapolated to items it
 *   never saw.
 * - 'per-position' (the paper's §4.2): one model per position, q̂_ℓ = Σ_i w_i P̂_ℓ(x_i) / Σ_i w_i P̂_1(x_i).
 * Ratios of weighted sums (with rare clicks, per-entry ratios are dominated by entries where P̂_1 is tiny). Not
 * clipped, so a position examined more than the first shows as > 1. β = 1 by default: with β = 0.1 the posterior
 * variances collapse and the fit is overconfident (docs/rank.md). The fit itself is not weighted.
 * @param features - n*dim row-major features of each entry (finite).
 * @param dim - feature dimension.
 * @param positions - 0-based positions.
 * @param clicks - 0/1 clicks.
 * @param L - number of positions.
 * @param options - β (a number is read as β, the former signature), model, weights.
 * @throws ALLOT_SHAPE_MISMATCH / ALLOT_NOT_FINITE / ALLOT_OUT_OF_RANGE for bad inputs.
 */
export function probitPositionBias(
  features: Float64Array,
  dim: number,
  positions: ArrayLike<number>,
  clicks: ArrayLike<number>,
  L: number,
  options: number | ProbitLogOptions = {},
): { q: Float64Array; models: AdPredictor[] } {
  checkLog(positions, clicks, L);
  const n = positions.length;
  const opts: ProbitLogOptions = typeof options === 'number' ? { beta: options } : options;
  const beta = opts.beta ?? 1;
  const model = assertOneOf('probit model', opts.model ?? 'shared', PROBIT_MODELS);
  const wts = opts.weights;
  checkWeights(wts, n);
  if (features.length !== n * dim) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `features must have ${n} x ${dim} entries (got ${features.length})`,
    );
  }
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i]!)) {
      throw new AllotError(
        'ALLOT_NOT_FINITE',
        `feature ${i % dim} of entry ${Math.floor(i / dim)} must be finite`,
      );
    }
  }
  const models: AdPredictor[] = [];
  const mean = new Float64Array(L);
  if (model === 'shared') {
    const m = createAdPredictor({ dim: dim + L, beta });
    models.push(m);
    const buf = new Float64Array(dim + L);
    for (let i = 0; i < n; i++) {
      buf.set(features.subarray(i * dim, (i + 1) * dim));
      buf.fill(0, dim);
      buf[dim + positions[i]!] = 1;
      adPredictorUpdate(m, buf, 0, clicks[i]! >= 0.5 ? 1 : -1);
    }
    const mu = m.mu;
    const s2 = m.s2;
    for (let i = 0; i < n; i++) {
      let mm = mu[0]!;
      let v = beta * beta + s2[0]!;
      const off = i * dim;
      for (let j = 0; j < dim; j++) {
        const xj = features[off + j]!;
        if (xj === 0) continue;
        mm += mu[j + 1]! * xj;
        v += xj * xj * s2[j + 1]!;
      }
      const w = wts === undefined ? 1 : wts[i]!;
      for (let l = 0; l < L; l++)
        mean[l]! += w * normalCdf((mm + mu[dim + 1 + l]!) / Math.sqrt(v + s2[dim + 1 + l]!));
    }
  } else {
    for (let l = 0; l < L; l++) models.push(createAdPredictor({ dim, beta }));
    for (let i = 0; i < n; i++)
      adPredictorUpdate(models[positions[i]!]!, features, i * dim, clicks[i]! >= 0.5 ? 1 : -1);
    for (let l = 0; l < L; l++) {
      let s = 0;
      for (let i = 0; i < n; i++)
        s += (wts === undefined ? 1 : wts[i]!) * adPredictorProbability(models[l]!, features, i * dim);
      mean[l] = s;
    }
  }
  const q = new Float64Array(L);
  for (let l = 0; l < L; l++) q[l] = mean[0]! > 0 ? mean[l]! / mean[0]! : 0;
  return { q, models };
}
