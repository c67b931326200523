/**
 * The SINREAL / SINBIN synthetic ranking environments of Ermis et al. (2020), §5.1.
 *
 * @remarks
 * - Actions a_k ∈ R^5 and contexts c_t ∈ R^10 with entries U[0,1], entries below the sparsity threshold 0.1 set to 0.
 * - Contextualised action x_{t,k} = [a_k; c_t; vec(a_k c_t^T)] (65 entries, products row-major with the action
 *   index outer), divided by its Euclidean norm (the paper's "square norms" read as the 2-norm; notes §7.11).
 * - A fixed weight vector w with entries U[0,1], normalised to unit length (notes §9 [A]: a sign-symmetric w gives
 *   near-zero rewards, contradicting the tables).
 * - SINREAL reward r_{t,k} = clip(⟨w, x_{t,k}⟩ + u, 0, 1), u ~ U[−0.1, 0.1], pre-drawn for every (t, k), so every
 *   possible choice has its fixed "correct reward". SINBIN: r^bin = 1[r ≥ τ], τ = the median of the run's r
 *   (the paper's threshold value is not given; notes §9 [A]).
 * - Examination q_ℓ = (1 − ε) exp(−(ℓ − 1)), ℓ = 1..L (the paper's "divided by exp(position)" with 0-based
 *   positions; Table 3 uses ε ∈ {0.1, 0.25, 0.5}).
 * - The instance (actions, w) is drawn once per seed; each run draws its own users (contexts) and noise.
 *
 * References: B. Ermis, P. Ernst, Y. Stein, G. Zappella, "Learning to Rank in the Position Based Model with Bandit
 * Feedback", CIKM 2020, arXiv:2004.13106, §5.1.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInInterval, assertInteger, assertOneOf } from '../../core/validate.js';

/** The two datasets. */
export type SinDatasetKind = 'sinreal' | 'sinbin';

/** Accepted dataset names. */
export const SIN_DATASETS: readonly SinDatasetKind[] = ['sinreal', 'sinbin'];

/** Options of {@link createSinInstance}. */
export interface SinInstanceOptions {
  /** Number of actions K (default 25). */
  readonly actions?: number;
  /** Action dimension (default 5). */
  readonly actionDim?: number;
  /** Context dimension (default 10). */
  readonly contextDim?: number;
  /** Entries below this are set to 0 (default 0.1). */
  readonly sparsity?: number;
}

/** A fixed SIN instance: the action vectors and the unit weight vector (plain data). */
export interface SinInstance {
  readonly actions: number;
  readonly actionDim: number;
  readonly contextDim: number;
  readonly sparsity: number;
  /** Contextualised dimension actionDim + contextDim + actionDim·contextDim (65 by default). */
  readonly dim: number;
  /** K*actionDim row-major action vectors. */
  readonly actionVectors: Float64Array;
  /** Unit weight vector of length dim. */
  readonly w: Float64Array;
}

function sparseUniform(rng: Rng, sparsity: number): number {
  const u = rng.uniform();
  return u < sparsity ? 0 : u;
}

/**
 * Draws a SIN instance (actions and w).
 *
 * @param options - sizes (defaults: 25 actions, 5-dim actions, 10-dim contexts, sparsity 0.1).
 * @param rng - randomness.
 * @returns the instance.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad sizes.
 */
export function createSinInstance(options: SinInstanceOptions, rng: Rng): SinInstance {
  const actions = options.actions ?? 25;
  const actionDim = options.actionDim ?? 5;
  const contextDim = options.contextDim ?? 10;
  const sparsity = options.sparsity ?? 0.1;
  assertInteger('actions', actions, 1, 100000);
  assertInteger('actionDim', actionDim, 1, 1000);
  assertInteger('contextDim', contextDim, 1, 1000);
  assertInInterval('sparsity', sparsity, 0, 1, false, true);
  const dim = actionDim + contextDim + actionDim * contextDim;
  const actionVectors = new Float64Array(actions * actionDim);
  for (let i = 0; i < actionVectors.length; i++) actionVectors[i] = sparseUniform(rng, sparsity);
  const w = new Float64Array(dim);
  let n2 = 0;
  for (let i = 0; i < dim; i++) {
    const v = rng.uniform();
    w[i] = v;
    n2 += v * v;
  }
  const inv = 1 / Math.sqrt(n2);
  for (let i = 0; i < dim; i++) w[i]! *= inv;
  return { actions, actionDim, contextDim, sparsity, dim, actionVectors, w };
}

/** One run's users: contexts and pre-drawn rewards of every (round, action). */
export interface SinStream {
  readonly kind: SinDatasetKind;
  readonly rounds: number;
  /** rounds*contextDim row-major contexts. */
  readonly contexts: Float64Array;
  /** rounds*actions row-major rewards (SINBIN: 0/1). */
  readonly rewards: Float64Array;
  /**
   * rounds*actions row-major expected rewards given the context, E[r_{t,k} | x_{t,k}] (what an oracle that knows w
   * ranks by): SINREAL E[clip(m + u, 0, 1)], SINBIN P(m + u >= τ), with m = ⟨w, x⟩ and u ~ U[−h, h].
   */
  readonly expected: Float64Array;
  /** SINBIN threshold τ (null for SINREAL). */
  readonly threshold: number | null;
}

/**
 * Draws the contexts and rewards of one run.
 *
 * @param instance - the fixed instance.
 * @param kind - 'sinreal' or 'sinbin'.
 * @param rounds - T >= 1.
 * @param rng - randomness (contexts and noise).
 * @param noise - half-width of the uniform reward noise (default 0.1).
 * @returns the stream.
 * @throws ALLOT_UNKNOWN_OPTION / ALLOT_OUT_OF_RANGE for bad arguments.
 */
export function createSinStream(
  instance: SinInstance,
  kind: SinDatasetKind,
  rounds: number,
  rng: Rng,
  noise = 0.1,
): SinStream {
  assertOneOf('dataset', kind, SIN_DATASETS);
  assertInteger('rounds', rounds, 1, 10_000_000);
  assertInInterval('noise', noise, 0, Infinity);
  const { actions: K, actionDim: p, contextDim: m, actionVectors: av, w, sparsity } = instance;
  const contexts = new Float64Array(rounds * m);
  for (let i = 0; i < contexts.length; i++) contexts[i] = sparseUniform(rng, sparsity);
  // Per action: w_a·a and |a|²; per round: w_c·c, |c|², (W c)_i.
  const wa = new Float64Array(K);
  const a2 = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    let n = 0;
    for (let i = 0; i < p; i++) {
      const v = av[k * p + i]!;
      s += w[i]! * v;
      n += v * v;
    }
    wa[k] = s;
    a2[k] = n;
  }
  const wc = new Float64Array(p);
  const rewards = new Float64Array(rounds * K);
  const expected = new Float64Array(rounds * K);
  for (let t = 0; t < rounds; t++) {
    const co = t * m;
    let wcc = 0;
    let c2 = 0;
    for (let j = 0; j < m; j++) {
      const v = contexts[co + j]!;
      wcc += w[p + j]! * v;
      c2 += v * v;
    }
    for (let i = 0; i < p; i++) {
      let s = 0;
      const wo = p + m + i * m;
      for (let j = 0; j < m; j++) s += w[wo + j]! * contexts[co + j]!;
      wc[i] = s;
    }
    for (let k = 0; k < K; k++) {
      let cross = 0;
      for (let i = 0; i < p; i++) cross += av[k * p + i]! * wc[i]!;
      const norm2 = a2[k]! + c2 + a2[k]! * c2;
      const mean = norm2 > 0 ? (wa[k]! + wcc + cross) / Math.sqrt(norm2) : 0;
      const r = mean + noise * (2 * rng.uniform() - 1);
      rewards[t * K + k] = r < 0 ? 0 : Math.min(r, 1);
      expected[t * K + k] = mean;
    }
  }
  let threshold: number | null = null;
  if (kind === 'sinbin') {
    const sorted = Float64Array.from(rewards).sort();
    const n = sorted.length;
    threshold = n % 2 === 1 ? sorted[(n - 1) / 2]! : 0.5 * (sorted[n / 2 - 1]! + sorted[n / 2]!);
    for (let i = 0; i < n; i++) rewards[i] = rewards[i]! >= threshold ? 1 : 0;
  }
  for (let i = 0; i < expected.length; i++) expected[i] = expectedReward(expected[i]!, noise, threshold);
  return { kind, rounds, contexts, rewards, expected, threshold };
}

/** ∫ clip(v, 0, 1) dv from −∞ (0 below 0, v²/2 on [0, 1], v − 1/2 above 1). */
function clipIntegral(v: number): number {
  return v <= 0 ? 0 : v <= 1 ? 0.5 * v * v : v - 0.5;
}

/**
 * The expected reward of a candidate with noiseless score m = ⟨w, x⟩ under u ~ U[−h, h]: SINREAL (τ = null)
 * E[clip(m + u, 0, 1)]; SINBIN P(m + u >= τ). Increasing in m, so ranking by it is ranking by ⟨w, x⟩.
 *
 * @param m - the noiseless score.
 * @param h - noise half-width >= 0.
 * @param threshold - SINBIN τ, or null for SINREAL.
 * @returns the expected reward in [0, 1].
 * @example
 * ```ts
 * expectedReward(0.5, 0.1, null); // 0.5
 * ```
 */
export function expectedReward(m: number, h: number, threshold: number | null): number {
  if (threshold !== null) {
    if (h <= 0) return m >= threshold ? 1 : 0;
    const p = (m + h - threshold) / (2 * h);
    return p <= 0 ? 0 : Math.min(p, 1);
  }
  if (h <= 0) return m < 0 ? 0 : Math.min(m, 1);
  return (clipIntegral(m + h) - clipIntegral(m - h)) / (2 * h);
}

/**
 * Writes round t's K contextualised, unit-norm action vectors into `out` (K*dim row-major). No allocation.
 *
 * @remarks Kernel: 0 <= t < stream.rounds, out.length >= K*dim.
 */
export function contextualize(
  instance: SinInstance,
  contexts: Float64Array,
  t: number,
  out: Float64Array,
): Float64Array {
  const { actions: K, actionDim: p, contextDim: m, dim, actionVectors: av } = instance;
  const co = t * m;
  for (let k = 0; k < K; k++) {
    const o = k * dim;
    let n2 = 0;
    for (let i = 0; i < p; i++) {
      const v = av[k * p + i]!;
      out[o + i] = v;
      n2 += v * v;
    }
    for (let j = 0; j < m; j++) {
      const v = contexts[co + j]!;
      out[o + p + j] = v;
      n2 += v * v;
    }
    for (let i = 0; i < p; i++) {
      const ai = av[k * p + i]!;
      const base = o + p + m + i * m;
      for (let j = 0; j < m; j++) {
        const v = ai * contexts[co + j]!;
        out[base + j] = v;
        n2 += v * v;
      }
    }
    if (n2 > 0) {
      const inv = 1 / Math.sqrt(n2);
      for (let i = 0; i < dim; i++) out[o + i]! *= inv;
    }
  }
  return out;
}

/**
 * Examination probabilities q_ℓ = (1 − ε)·exp(−(ℓ − 1)), ℓ = 1..L.
 *
 * @param positions - L >= 1.
 * @param firstPositionEps - ε in [0, 1) (default 0; Table 3 uses 0.1, 0.25, 0.5).
 * @returns the L probabilities.
 * @throws ALLOT_OUT_OF_RANGE for a bad ε or L.
 * @example
 * ```ts
 * examinationProbabilities(2, 0.5); // [0.5, 0.18393972058572117]
 * ```
 */
export function examinationProbabilities(positions: number, firstPositionEps = 0): Float64Array {
  assertInteger('positions', positions, 1);
  assertInInterval('first-position-eps', firstPositionEps, 0, 1, false, true);
  const q = new Float64Array(positions);
  for (let l = 0; l < positions; l++) q[l] = (1 - firstPositionEps) * Math.exp(-l);
  if (!(q[0]! > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', 'first position examination must be > 0');
  return q;
}
