/**
 * adPredictor: Bayesian probit regression with a fully factorised Gaussian posterior over the weights, updated by
 * assumed-density filtering one example at a time.
 *
 * @remarks
 * Labels y ∈ {−1, +1} (the paper's Φ(C·θ^T x/β) with C ∈ {0,1} is read as y = 2C − 1, see the algorithm notes §7.9).
 * Weights w_i ~ N(μ_i, σ_i²); a bias feature x_0 = 1 is added internally.
 * Predict: Σ² = β² + Σ_i x_i² σ_i², P(y = +1 | x) = Φ(μ^T x / Σ).
 * Update on (x, y): t = y μ^T x / Σ (clipped to [−5, 5]), v = φ(t)/Φ(t), w = v (v + t),
 * μ_i += y x_i (σ_i²/Σ) v, σ_i² ← σ_i² (1 − x_i² (σ_i²/Σ²) w).
 * Optional dynamics toward the prior with rate ε: σ² ← σ² σ₀² / ((1−ε)σ₀² + εσ²),
 * μ ← σ²_new ((1−ε)μ/σ² + ε μ₀/σ₀²).
 * Section 4.2 of Ermis et al. (2020) uses one such model per position.
 *
 * References:
 * - T. Graepel, J. Quiñonero Candela, T. Borchert, R. Herbrich, "Web-scale Bayesian click-through rate prediction
 *   for sponsored search advertising in Microsoft's Bing search engine", ICML 2010.
 * - B. Ermis et al., "Learning to Rank in the Position Based Model with Bandit Feedback", arXiv:2004.13106, §4.2.
 */
import { normalCdf, normalPdf } from '../../core/dist.js';
import { assertInInterval, assertInteger, assertPositive } from '../../core/validate.js';

/** Options of {@link createAdPredictor}. */
export interface AdPredictorOptions {
  /** Number of features (the bias feature is added on top). */
  readonly dim: number;
  /** Noise scale β > 0 (default 0.1). */
  readonly beta?: number;
  /** Prior mean of every weight (default 0). */
  readonly priorMean?: number;
  /** Prior variance of every weight (default 1). */
  readonly priorVariance?: number;
  /** Dynamics rate ε in [0, 1) toward the prior after each update (default 0 = none). */
  readonly epsilon?: number;
}

/** A factorised Gaussian probit model (plain data). Index 0 is the bias weight. */
export interface AdPredictor {
  readonly dim: number;
  readonly beta: number;
  readonly priorMean: number;
  readonly priorVariance: number;
  readonly epsilon: number;
  /** Posterior means, length dim + 1. */
  readonly mu: Float64Array;
  /** Posterior variances, length dim + 1. */
  readonly s2: Float64Array;
  /** Number of examples seen. */
  n: number;
}

/**
 * Creates an adPredictor model at its prior.
 *
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad options.
 * @example
 * ```ts
 * const m = createAdPredictor({ dim: 1 });
 * adPredictorProbability(m, Float64Array.of(1), 0); // 0.5
 * ```
 */
export function createAdPredictor(options: AdPredictorOptions): AdPredictor {
  assertInteger('dim', options.dim, 0, 1 << 20);
  const beta = options.beta ?? 0.1;
  const priorMean = options.priorMean ?? 0;
  const priorVariance = options.priorVariance ?? 1;
  const epsilon = options.epsilon ?? 0;
  assertPositive('beta', beta);
  assertInInterval('priorMean', priorMean, -Infinity, Infinity);
  assertPositive('priorVariance', priorVariance);
  assertInInterval('epsilon', epsilon, 0, 1, false, true);
  const n = options.dim + 1;
  return {
    dim: options.dim,
    beta,
    priorMean,
    priorVariance,
    epsilon,
    mu: new Float64Array(n).fill(priorMean),
    s2: new Float64Array(n).fill(priorVariance),
    n: 0,
  };
}

/**
 * Predictive click probability P(y = +1 | x) = Φ(μ^T x / sqrt(β² + Σ x_i² σ_i²)) (bias feature included).
 *
 * @remarks Kernel: x[offset .. offset + dim) finite.
 */
export function adPredictorProbability(model: AdPredictor, x: Float64Array, offset: number): number {
  const mu = model.mu;
  const s2 = model.s2;
  let m = mu[0]!;
  let v = model.beta * model.beta + s2[0]!;
  for (let i = 0; i < model.dim; i++) {
    const xi = x[offset + i]!;
    if (xi === 0) continue;
    m += mu[i + 1]! * xi;
    v += xi * xi * s2[i + 1]!;
  }
  return normalCdf(m / Math.sqrt(v));
}

/**
 * One assumed-density-filtering update on (x, y), y = +1 (click) or −1 (no click). O(dim), no allocation.
 *
 * @remarks Kernel: x finite, y ∈ {−1, +1}.
 */
export function adPredictorUpdate(model: AdPredictor, x: Float64Array, offset: number, y: number): void {
  const mu = model.mu;
  const s2 = model.s2;
  let m = mu[0]!;
  let v = model.beta * model.beta + s2[0]!;
  for (let i = 0; i < model.dim; i++) {
    const xi = x[offset + i]!;
    if (xi === 0) continue;
    m += mu[i + 1]! * xi;
    v += xi * xi * s2[i + 1]!;
  }
  const sd = Math.sqrt(v);
  let t = (y * m) / sd;
  if (t < -5) t = -5;
  else if (t > 5) t = 5;
  const vt = normalPdf(t) / normalCdf(t);
  const wt = vt * (vt + t);
  // bias feature x_0 = 1
  upd(model, 0, 1, y, sd, v, vt, wt);
  for (let i = 0; i < model.dim; i++) {
    const xi = x[offset + i]!;
    if (xi !== 0) upd(model, i + 1, xi, y, sd, v, vt, wt);
  }
  model.n++;
}

function upd(
  model: AdPredictor,
  i: number,
  xi: number,
  y: number,
  sd: number,
  v: number,
  vt: number,
  wt: number,
) {
  const mu = model.mu;
  const s2 = model.s2;
  const si = s2[i]!;
  let mNew = mu[i]! + ((y * xi * si) / sd) * vt;
  let sNew = si * Math.max(1e-12, 1 - ((xi * xi * si) / v) * wt);
  const eps = model.epsilon;
  if (eps > 0) {
    const p0 = model.priorVariance;
    const sDyn = (sNew * p0) / ((1 - eps) * p0 + eps * sNew);
    mNew = sDyn * (((1 - eps) * mNew) / sNew + (eps * model.priorMean) / p0);
    sNew = sDyn;
  }
  mu[i] = mNew;
  s2[i] = sNew;
}
