/**
 * Exploration-efficiency metrics (Guo et al. 2023, section 4.2, Eqs. 2–5): the belief P that each topic is a
 * user's most relevant one, today's recommended-topic distribution Q, and EI = KL(P || Q), TD = |Q|, IU = H(P),
 * TE = P . Q.
 */
import { AllotError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { sampleBetaPrepared } from '../core/samplers.js';
import { assertInInterval, assertInteger, assertPositive } from '../core/validate.js';
import { maxProbabilitiesQuadratureInto } from './beta-max.js';

/** The four user-level metrics of one user on one day. */
export interface ExplorationMetrics {
  /** Exploration inefficiency KL(P || Q') with Q' the imputed Q (Eq. 2), nats. */
  EI: number;
  /** Topic diversity: number of distinct topics recommended today (Eq. 3). */
  TD: number;
  /** Interest uncertainty H(P) (Eq. 4), nats. */
  IU: number;
  /** Topic excellence P . Q (Eq. 5). */
  TE: number;
}

/** Default value imputed for topics missing from Q in the KL divergence. */
export const DEFAULT_KL_IMPUTE = 1e-3;

/**
 * Kernel: EI, TD, IU and TE from a belief P and today's recommendation counts.
 *
 * @remarks
 * Q = qCounts / sum(qCounts). EI = sum_i p_i ln(p_i / q'_i) (Eq. 2) where a topic missing from Q (q_i = 0) is
 * imputed: q'_i = impute for every missing topic, then q' is renormalised to sum 1 (q'_i = q_i / (1 + m * impute)
 * for present topics, m = number of missing topics). This is the paper's "we impute missing topics with a small
 * value", which skews EI worse for light users (their Q misses more topics). Terms with p_i = 0 contribute 0.
 * TD = #{i : q_i > 0} (Eq. 3); IU = -sum_i p_i ln p_i (Eq. 4); TE = sum_i p_i q_i with the raw Q (Eq. 5).
 * Preconditions (not checked): P a probability vector, qCounts >= 0 with a positive sum.
 *
 * @param k - number of topics.
 * @param p - belief P, length k, read at `pOffset`.
 * @param qCounts - today's recommendations per topic, read at `qOffset`.
 * @param impute - the value imputed for missing topics, in (0, 1).
 * @param out - receives the metrics.
 * @returns `out`.
 */
export function explorationMetricsInto(
  k: number,
  p: Float64Array,
  pOffset: number,
  qCounts: Float64Array,
  qOffset: number,
  impute: number,
  out: ExplorationMetrics,
): ExplorationMetrics {
  let total = 0;
  let missing = 0;
  for (let i = 0; i < k; i++) {
    const q = qCounts[qOffset + i]!;
    total += q;
    if (q <= 0) missing++;
  }
  const norm = 1 + missing * impute;
  let ei = 0;
  let iu = 0;
  let te = 0;
  for (let i = 0; i < k; i++) {
    const pi = p[pOffset + i]!;
    const q = qCounts[qOffset + i]! / total;
    if (pi > 0) {
      const qi = (q > 0 ? q : impute) / norm;
      ei += pi * Math.log(pi / qi);
      iu -= pi * Math.log(pi);
      te += pi * q;
    }
  }
  out.EI = ei;
  out.TD = k - missing;
  out.IU = iu;
  out.TE = te;
  return out;
}

/**
 * EI, TD, IU and TE of one user (validated boundary over {@link explorationMetricsInto}).
 *
 * @param p - the belief P over k topics (a probability vector).
 * @param qCounts - today's number of recommendations per topic (>= 0, positive sum), same length.
 * @param impute - value imputed for topics missing from Q in the KL divergence, in (0, 1) (default 1e-3).
 * @returns the metrics.
 * @throws ALLOT_SHAPE_MISMATCH for different lengths; ALLOT_OUT_OF_RANGE for a P that is not a probability vector,
 *   a negative count, an all-zero Q or a bad impute value.
 * @example
 * explorationMetrics([0.5, 0.5], [1, 0], 0.001).TE // 0.5
 */
export function explorationMetrics(
  p: ArrayLike<number>,
  qCounts: ArrayLike<number>,
  impute: number = DEFAULT_KL_IMPUTE,
): ExplorationMetrics {
  if (p.length !== qCounts.length || p.length === 0) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `p and qCounts must have the same non-zero length (got ${p.length} and ${qCounts.length})`,
    );
  }
  assertInInterval('impute', impute, 0, 1, true, true);
  const k = p.length;
  const pp = Float64Array.from(p);
  const qq = Float64Array.from(qCounts);
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < k; i++) {
    if (!(pp[i]! >= 0 && pp[i]! <= 1))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `p[${i}] must be in [0, 1] (got ${pp[i]})`);
    if (!(qq[i]! >= 0) || !Number.isFinite(qq[i]!)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `qCounts[${i}] must be a finite number >= 0 (got ${qq[i]})`);
    }
    ps += pp[i]!;
    qs += qq[i]!;
  }
  if (Math.abs(ps - 1) > 1e-9) throw new AllotError('ALLOT_OUT_OF_RANGE', `p must sum to 1 (got ${ps})`);
  if (!(qs > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', 'qCounts must have a positive sum (got 0)');
  return explorationMetricsInto(k, pp, 0, qq, 0, impute, { EI: 0, TD: 0, IU: 0, TE: 0 });
}

/**
 * Kernel: the light Beta prior and posterior of p(relevant) for each <user, topic> pair of one user.
 *
 * @remarks
 * Prior mean m_k = logistic(logit(tbar_k) + logit(ubar) - logit(gbar)): the topic's average relevance rate tbar_k
 * shifted by how the user's average ubar differs from the global average gbar (the paper's "light prior based on
 * topic's and user's averages"; the exact combination is not given, this is ours). Prior strength s0 pseudo-
 * impressions: a_k = s0 m_k + relevant_k, b_k = s0 (1 - m_k) + shown_k - relevant_k. Never-seen topics keep the
 * prior. Preconditions: rates in (0, 1), s0 > 0, relevant <= shown.
 *
 * @param k - number of topics.
 * @param shown - impressions per topic before today, read at `offset`.
 * @param relevant - completed (relevant) impressions per topic before today, read at `offset`.
 * @param topicRate - tbar_k, length k (offset 0).
 * @param userRate - ubar of this user.
 * @param globalRate - gbar.
 * @param s0 - prior strength.
 * @param a - receives the Beta a_k (length k).
 * @param b - receives the Beta b_k (length k).
 */
export function betaPosteriorInto(
  k: number,
  shown: Float64Array,
  relevant: Float64Array,
  offset: number,
  topicRate: Float64Array,
  userRate: number,
  globalRate: number,
  s0: number,
  a: Float64Array,
  b: Float64Array,
): void {
  const shift = Math.log(userRate / (1 - userRate)) - Math.log(globalRate / (1 - globalRate));
  for (let i = 0; i < k; i++) {
    const t = topicRate[i]!;
    const m = 1 / (1 + Math.exp(-(Math.log(t / (1 - t)) + shift)));
    const n = shown[offset + i]!;
    const r = relevant[offset + i]!;
    a[i] = s0 * m + r;
    b[i] = s0 * (1 - m) + Math.max(0, n - r);
  }
}

/** Scratch space of {@link maxProbabilitiesInto} for up to k topics. */
export interface MaxProbabilityWork {
  readonly prep: Float64Array;
  readonly keep: Int32Array;
}

/** Scratch space for {@link maxProbabilitiesInto} with k topics. */
export function createMaxProbabilityWork(k: number): MaxProbabilityWork {
  return { prep: new Float64Array(4 * k), keep: new Int32Array(k) };
}

/** Shapes from which a Beta law is treated as light-tailed enough to be pruned 7 sd away. */
const PRUNE_MIN_SHAPE = 4;
const PRUNE_SD = 7;

/**
 * Kernel: P_i = Pr(topic i has the largest p(relevant)) by Monte Carlo over independent Beta(a_i, b_i) posteriors.
 *
 * @remarks
 * Draws `samples` vectors x ~ prod_i Beta(a_i, b_i) and counts how often each topic is the argmax; P is the
 * frequency (the paper's "by sampling from these posteriors, we can compute the probability that a topic would be
 * the most relevant"). Topics are independent (no representation learning), as in the paper. The Monte Carlo
 * standard error of each P_i is sqrt(P_i (1 - P_i) / samples) <= 0.5 / sqrt(samples).
 *
 * Pruning (an exactness note): a topic j with both shapes >= 4 whose mean + 7 sd lies below another such topic's
 * mean - 7 sd is never drawn and gets P_j = 0. Its true P_j is below the probability of a 7-sd excursion of a
 * near-normal Beta (< 1e-4 even for the most skewed shapes allowed), far below the Monte Carlo error. Beta draws
 * use Marsaglia–Tsang gammas with a ziggurat normal (core/samplers.ts).
 *
 * @param k - number of topics.
 * @param a - Beta first shapes (> 0), length k.
 * @param b - Beta second shapes (> 0), length k.
 * @param samples - number of posterior draws.
 * @param rng - random source.
 * @param out - receives P (length >= outOffset + k).
 * @param outOffset - where P starts in `out`.
 * @param work - scratch from {@link createMaxProbabilityWork} (allocated when omitted).
 */
export function maxProbabilitiesInto(
  k: number,
  a: Float64Array,
  b: Float64Array,
  samples: number,
  rng: Rng,
  out: Float64Array,
  outOffset: number,
  work: MaxProbabilityWork = createMaxProbabilityWork(k),
): void {
  const { prep, keep } = work;
  let lowest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < k; i++) {
    out[outOffset + i] = 0;
    const ai = a[i]!;
    const bi = b[i]!;
    if (ai >= PRUNE_MIN_SHAPE && bi >= PRUNE_MIN_SHAPE) {
      const s = ai + bi;
      const lo = ai / s - PRUNE_SD * Math.sqrt((ai * bi) / (s * s * (s + 1)));
      if (lo > lowest) lowest = lo;
    }
  }
  let n = 0;
  for (let i = 0; i < k; i++) {
    const ai = a[i]!;
    const bi = b[i]!;
    if (ai >= PRUNE_MIN_SHAPE && bi >= PRUNE_MIN_SHAPE) {
      const s = ai + bi;
      if (ai / s + PRUNE_SD * Math.sqrt((ai * bi) / (s * s * (s + 1))) < lowest) continue;
    }
    keep[n++] = i;
  }
  for (let j = 0; j < n; j++) {
    const i = keep[j]!;
    // prepareBeta reads a[i], b[i]; store the constants at slot j.
    const sa = a[i]! < 1 ? a[i]! + 1 : a[i]!;
    const sb = b[i]! < 1 ? b[i]! + 1 : b[i]!;
    prep[4 * j] = sa - 1 / 3;
    prep[4 * j + 1] = 1 / Math.sqrt(9 * (sa - 1 / 3));
    prep[4 * j + 2] = sb - 1 / 3;
    prep[4 * j + 3] = 1 / Math.sqrt(9 * (sb - 1 / 3));
  }
  if (n === 1) {
    out[outOffset + keep[0]!] = 1;
    return;
  }
  for (let s = 0; s < samples; s++) {
    let best = 0;
    let bestX = -1;
    for (let j = 0; j < n; j++) {
      const i = keep[j]!;
      const x = sampleBetaPrepared(rng, a[i]!, b[i]!, prep, j);
      if (x > bestX) {
        bestX = x;
        best = i;
      }
    }
    out[outOffset + best]! += 1;
  }
  const inv = 1 / samples;
  for (let i = 0; i < k; i++) out[outOffset + i]! *= inv;
}

/**
 * P for one user from Beta posteriors (validated boundary over {@link maxProbabilitiesInto}).
 *
 * @param a - Beta first shapes, all > 0.
 * @param b - Beta second shapes, all > 0, same length.
 * @param samples - posterior draws, an integer >= 1.
 * @param rng - random source.
 * @returns P, a probability vector of the same length.
 * @throws ALLOT_SHAPE_MISMATCH, ALLOT_OUT_OF_RANGE / ALLOT_NOT_FINITE for bad shapes or samples.
 */
export function topicMaxProbabilities(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  samples: number,
  rng: Rng,
): Float64Array {
  if (a.length !== b.length || a.length === 0) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `a and b must have the same non-zero length (got ${a.length} and ${b.length})`,
    );
  }
  assertInteger('samples', samples, 1);
  for (let i = 0; i < a.length; i++) {
    assertPositive(`a[${i}]`, a[i]);
    assertPositive(`b[${i}]`, b[i]);
  }
  const out = new Float64Array(a.length);
  maxProbabilitiesInto(a.length, Float64Array.from(a), Float64Array.from(b), samples, rng, out, 0);
  return out;
}

/** One user's logged counts for {@link userDayExplorationMetrics}. */
export interface UserDayCounts {
  /** Impressions per topic BEFORE the day (length K). */
  readonly shownBefore: ArrayLike<number>;
  /** Relevant (completed) impressions per topic before the day, <= shownBefore. */
  readonly relevantBefore: ArrayLike<number>;
  /** Recommendations per topic ON the day (Q), with a positive sum. */
  readonly today: ArrayLike<number>;
}

/** Population rates of the light prior of {@link userDayExplorationMetrics}. */
export interface PriorRates {
  /** Average relevance rate of each topic before the day, in (0, 1) (length K). */
  readonly topicRate: ArrayLike<number>;
  /** Average relevance rate over all users and topics, in (0, 1). */
  readonly globalRate: number;
  /** Prior strength in pseudo-impressions (default 2). */
  readonly priorStrength?: number;
  /** Pseudo-impressions at the global rate that smooth the user's average (default 10). */
  readonly userSmoothing?: number;
  /** Value imputed for topics missing from Q in the KL divergence (default 1e-3). */
  readonly impute?: number;
}

/**
 * EI, TD, IU and TE of one user on one day from logged counts (validated; the service's entry point): the light
 * Beta prior and posterior of {@link betaPosteriorInto} (user average smoothed toward the global rate), P by
 * quadrature ({@link maxProbabilitiesQuadratureInto}), then {@link explorationMetricsInto} (Eqs. 2–5).
 *
 * @param counts - the user's impressions and relevant impressions per topic before the day, and the day's
 *   recommendations per topic.
 * @param prior - topic and global rates, prior strength, smoothing, KL imputation.
 * @returns the metrics.
 * @throws ALLOT_SHAPE_MISMATCH for arrays of different lengths; ALLOT_OUT_OF_RANGE for negative counts, relevant >
 *   shown, rates outside (0, 1) or a day without recommendations.
 */
export function userDayExplorationMetrics(counts: UserDayCounts, prior: PriorRates): ExplorationMetrics {
  const k = counts.shownBefore.length;
  for (const [name, arr] of [
    ['relevantBefore', counts.relevantBefore],
    ['today', counts.today],
    ['topicRate', prior.topicRate],
  ] as const) {
    if (arr.length !== k) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `${name} must have ${k} entries like shownBefore (got ${arr.length})`,
      );
    }
  }
  if (k === 0) throw new AllotError('ALLOT_SHAPE_MISMATCH', 'shownBefore must have at least one topic');
  assertInInterval('globalRate', prior.globalRate, 0, 1, true, true);
  const s0 = prior.priorStrength ?? 2;
  assertPositive('priorStrength', s0);
  const smooth = prior.userSmoothing ?? 10;
  assertInInterval('userSmoothing', smooth, 0, Number.POSITIVE_INFINITY);
  const shown = new Float64Array(k);
  const rel = new Float64Array(k);
  const tr = new Float64Array(k);
  const q = new Float64Array(k);
  let n = 0;
  let r = 0;
  let qs = 0;
  for (let i = 0; i < k; i++) {
    shown[i] = counts.shownBefore[i]!;
    rel[i] = counts.relevantBefore[i]!;
    q[i] = counts.today[i]!;
    tr[i] = prior.topicRate[i]!;
    if (!(shown[i]! >= 0 && Number.isFinite(shown[i]!) && rel[i]! >= 0 && rel[i]! <= shown[i]!)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `topic ${i}: need 0 <= relevantBefore <= shownBefore (got ${rel[i]} and ${shown[i]})`,
      );
    }
    if (!(q[i]! >= 0 && Number.isFinite(q[i]!)))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `today[${i}] must be a finite number >= 0 (got ${q[i]})`);
    assertInInterval(`topicRate[${i}]`, tr[i], 0, 1, true, true);
    n += shown[i]!;
    r += rel[i]!;
    qs += q[i]!;
  }
  if (!(qs > 0))
    throw new AllotError('ALLOT_OUT_OF_RANGE', 'today must have a positive sum (no recommendations)');
  const g = prior.globalRate;
  const ubar = Math.min(0.99, Math.max(0.01, (r + smooth * g) / (n + smooth)));
  const a = new Float64Array(k);
  const b = new Float64Array(k);
  betaPosteriorInto(k, shown, rel, 0, tr, ubar, g, s0, a, b);
  const p = new Float64Array(k);
  maxProbabilitiesQuadratureInto(k, a, b, p, 0);
  return explorationMetricsInto(k, p, 0, q, 0, prior.impute ?? DEFAULT_KL_IMPUTE, {
    EI: 0,
    TD: 0,
    IU: 0,
    TE: 0,
  });
}
