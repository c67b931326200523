/**
 * LinUCB-PBMRank and LinTS-PBMRank: linear bandits that rank L of K contextualised actions under the
 * position-based click model, with the position bias known, estimated online (CTR, probit, EM) or ignored
 * (the naive LinUCB / LinTS, q = 1); and the Random baseline.
 *
 * @remarks
 * Learning (Prop. 1, Eq. 1, with the corrections of the algorithm notes §7): for each shown position ℓ, a
 * regression observation of Z^ℓ on q_ℓ A^ℓ, i.e. V += q_ℓ² A^ℓ A^ℓ^T and b += q_ℓ Z^ℓ A^ℓ (Z, not the latent Y).
 * With an estimated bias there are two modes (`biasRefit`):
 * - 'exact' (default): the ranker also keeps the per-position statistics V^ℓ = Σ A^ℓ A^ℓ^T, b^ℓ = Σ Z^ℓ A^ℓ
 *   ({@link combinePositionStats}); the regression uses a fitted q_fit, and when any q̂_ℓ moves more than
 *   `refitTolerance` away from q_fit ({@link biasDrift}), q_fit ← q̂ and V, b are rebuilt exactly as
 *   λI + Σ_ℓ q_fit,ℓ² V^ℓ and Σ_ℓ q_fit,ℓ b^ℓ: O(L d²) for the sums plus O(d³) to refactor the cache.
 * - 'frozen' (the literal Algorithm 1): each observation enters V and b with the q̂ in force when its list was
 *   decided, and is never revisited.
 * Decision (Algorithms 1–2): score every candidate (LinUCB upper
 * bound or one LinTS draw), take the L best and put the best at the most examined position (rearrangement
 * inequality: ordering by q̂, also when q̂ is not monotone; ties to the lower action / position index).
 *
 * References: B. Ermis, P. Ernst, Y. Stein, G. Zappella, "Learning to Rank in the Position Based Model with Bandit
 * Feedback", CIKM 2020, arXiv:2004.13106.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertFinite, assertInteger, assertOneOf } from '../../core/validate.js';
import { positionsByExamination, topL } from '../linear/kernels.js';
import {
  assertCandidates,
  createLinearBandit,
  LINEAR_ALGORITHMS,
  type LinearAlgorithm,
  type LinearBandit,
  type LinearBanditOptions,
  linearMean,
  linearScores,
  observeLinearBatch,
  refactorLinearBandit,
} from '../linear/linear-bandit.js';
import { addObservations, type LinearStats } from '../linear/linear-stats.js';
import {
  type BiasMethod,
  createPositionBiasEstimator,
  currentPositionBias,
  type EmLink,
  type PositionBiasEstimator,
  type ProbitAverage,
  type ProbitModel,
  updatePositionBias,
} from './position-bias.js';
import { combineUnchecked, createPositionStats } from './position-stats.js';

/** How an estimated q̂ enters the regression: rebuilt exactly from per-position statistics, or frozen. */
export type BiasRefit = 'exact' | 'frozen';

/** The accepted {@link BiasRefit} modes. */
export const BIAS_REFITS: readonly BiasRefit[] = ['exact', 'frozen'];

/** Options of {@link createPbmRanker}. */
export interface PbmRankerOptions extends Omit<LinearBanditOptions, 'algorithm' | 'd'> {
  /** Feature dimension d. */
  readonly d: number;
  /** Number of candidate actions K per round. */
  readonly actions: number;
  /** List length L in [1, K]. */
  readonly positions: number;
  /** 'linucb' or 'lints'. */
  readonly algorithm: LinearAlgorithm;
  /** Position-bias source: 'none' (naive), 'real' (needs trueBias), 'ctr', 'probit', 'em'. */
  readonly bias: BiasMethod;
  /** Known examination probabilities (length L) for bias 'real'. */
  readonly trueBias?: ArrayLike<number>;
  /** EM relevance link (default 'sigmoid'). */
  readonly emLink?: EmLink;
  /** adPredictor β of the probit estimator (default 1; see {@link PositionBiasOptions}). */
  readonly probitBeta?: number;
  /** Probit estimator model: 'shared' (default) or 'per-position' (the paper's literal form). */
  readonly probitModel?: ProbitModel;
  /** Shared probit: average q̂ over the shown items (default) or all candidates. */
  readonly probitAverage?: ProbitAverage;
  /** 'exact' (default): rebuild V and b from per-position statistics when q̂ moves; 'frozen': never. */
  readonly biasRefit?: BiasRefit;
  /**
   * Refit when the regression weights moved by more than this: Σ_ℓ |q̂_ℓ² − q_fit,ℓ²| / Σ_ℓ q_fit,ℓ² > tolerance
   * (default 0.02; 0 refits on every change).
   */
  readonly refitTolerance?: number;
}

/** A PBM ranking bandit: linear bandit + position-bias estimator + scratch. */
export interface PbmRanker {
  readonly actions: number;
  readonly positions: number;
  readonly bias: BiasMethod;
  readonly bandit: LinearBandit;
  readonly estimator: PositionBiasEstimator;
  /** The q̂ in force (length L). */
  readonly q: Float64Array;
  /** Positions ordered by q̂, most examined first. */
  readonly order: Int32Array;
  /** 'exact' or 'frozen' ('frozen' for a known or naive bias, which never changes). */
  readonly biasRefit: BiasRefit;
  readonly refitTolerance: number;
  /**
   * Per-position statistics V^ℓ, b^ℓ (scale 1) when `biasRefit` is 'exact', else null. With them, the bandit's
   * statistics equal {@link combinePositionStats}(positionStats, qFit) after each refactorisation of the bandit
   * (its b, η and n at all times; its Gram matrix is rebuilt from these at the refactorisation, not accumulated).
   */
  readonly positionStats: LinearStats[] | null;
  /** The q the bandit's regression statistics are built with ('exact' mode; equals q for other modes). */
  readonly qFit: Float64Array;
  /** Number of exact refits so far. */
  refits: number;
  /**
   * 'exact' mode: the last rounds' shown vectors and feedback not yet added to `positionStats` (added four rounds
   * at a time by {@link flushPositionStats}, which every reader of `positionStats` calls first), else null.
   */
  readonly pending: PendingRounds | null;
  readonly scratch: {
    readonly scores: Float64Array;
    readonly idx: Int32Array;
    readonly top: Int32Array;
    /** Offsets list[ℓ]·d of the shown items' features. */
    readonly offsets: Int32Array;
  };
}

/** Rounds waiting to enter the per-position statistics (see {@link PbmRanker.pending}). */
export interface PendingRounds {
  /** Rounds buffered (0..PENDING_ROUNDS). */
  count: number;
  /** PENDING_ROUNDS*L*d: round b's item at position ℓ from (b*L + ℓ)*d. */
  readonly x: Float64Array;
  /** PENDING_ROUNDS*L feedback, same order. */
  readonly z: Float64Array;
  readonly offsets: Int32Array;
  readonly ys: Float64Array;
  readonly ones: Float64Array;
}

/** Rounds per block of the per-position accumulation (addObservations takes four observations per pass). */
const PENDING_ROUNDS = 4;

/**
 * Adds the buffered rounds to the per-position statistics: position ℓ takes its (up to four) observations in one
 * blocked pass ({@link addObservations}: the same sums, term by term and in the same order, as one at a time).
 * A no-op without per-position statistics or pending rounds. Call it before reading `positionStats`.
 */
export function flushPositionStats(ranker: PbmRanker): void {
  const pend = ranker.pending;
  const ps = ranker.positionStats;
  if (pend === null || ps === null || pend.count === 0) return;
  const L = ranker.positions;
  const d = ranker.bandit.config.d;
  for (let l = 0; l < L; l++) {
    for (let b = 0; b < pend.count; b++) {
      pend.offsets[b] = (b * L + l) * d;
      pend.ys[b] = pend.z[b * L + l]!;
    }
    addObservations(ps[l]!, pend.x, pend.offsets, pend.ones, pend.ys, 0, pend.count);
  }
  pend.count = 0;
}

/**
 * Creates a LinUCB-PBMRank / LinTS-PBMRank ranker (or the naive LinUCB / LinTS with bias 'none').
 *
 * @param options - dimensions, algorithm, bias method and the linear-bandit hyperparameters.
 * @param rng - randomness of the estimator's initialisation 1/(ℓ + ε).
 * @throws ALLOT_OUT_OF_RANGE when positions > actions; ALLOT_UNKNOWN_OPTION for an unknown algorithm or bias;
 *   ALLOT_INVALID_CONFIG when 'real' lacks trueBias.
 */
export function createPbmRanker(options: PbmRankerOptions, rng: Rng): PbmRanker {
  assertInteger('actions', options.actions, 1);
  assertInteger('positions', options.positions, 1);
  if (options.positions > options.actions) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `positions must be <= actions (got ${options.positions} positions for ${options.actions} actions)`,
    );
  }
  assertOneOf('algorithm', options.algorithm, LINEAR_ALGORITHMS);
  const {
    actions,
    positions,
    bias,
    trueBias,
    emLink,
    probitBeta,
    probitModel,
    probitAverage,
    biasRefit,
    refitTolerance,
    ...rest
  } = options;
  const refitMode = assertOneOf('biasRefit', biasRefit ?? 'exact', BIAS_REFITS);
  const tol = refitTolerance ?? 0.02;
  assertFinite('refitTolerance', tol);
  if (tol < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `refitTolerance must be >= 0 (got ${tol})`);
  const bandit = createLinearBandit({ ...rest, algorithm: options.algorithm });
  const estimator = createPositionBiasEstimator(
    bias,
    {
      positions,
      d: options.d,
      ...(trueBias === undefined ? {} : { trueBias }),
      ...(emLink === undefined ? {} : { emLink }),
      ...(probitBeta === undefined ? {} : { probitBeta }),
      ...(probitModel === undefined ? {} : { probitModel }),
      ...(probitAverage === undefined ? {} : { probitAverage }),
    },
    rng,
  );
  const estimated = estimator.kind !== 'none' && estimator.kind !== 'real';
  const exact = estimated && refitMode === 'exact';
  const q = new Float64Array(positions);
  const ranker: PbmRanker = {
    actions,
    positions,
    bias,
    bandit,
    estimator,
    q,
    order: new Int32Array(positions),
    biasRefit: exact ? 'exact' : 'frozen',
    refitTolerance: tol,
    positionStats: exact ? createPositionStats(positions, options.d) : null,
    qFit: new Float64Array(positions),
    refits: 0,
    pending: exact
      ? {
          count: 0,
          x: new Float64Array(PENDING_ROUNDS * positions * options.d),
          z: new Float64Array(PENDING_ROUNDS * positions),
          offsets: new Int32Array(PENDING_ROUNDS),
          ys: new Float64Array(PENDING_ROUNDS),
          ones: new Float64Array(PENDING_ROUNDS).fill(1),
        }
      : null,
    scratch: {
      scores: new Float64Array(actions),
      idx: new Int32Array(actions),
      top: new Int32Array(positions),
      offsets: new Int32Array(positions),
    },
  };
  currentPositionBias(estimator, new Float64Array(0), 0, options.d, q);
  ranker.qFit.set(q);
  const ps = ranker.positionStats;
  if (ps !== null) {
    // The Gram matrix Σ_ℓ q_fit,ℓ² V^ℓ is rebuilt from the per-position statistics whenever the bandit refactors
    // (every refactorEvery updates and at each refit) instead of being accumulated a second time per observation:
    // the bandit's statistics equal combinePositionStats(positionStats, qFit) after each refactorisation (b, η, n
    // at all times). This saved the d²/2 multiply-adds per shown item of the second accumulation.
    const st = bandit.stats;
    bandit.statsSource = () => {
      flushPositionStats(ranker);
      combineUnchecked(ps, ranker.qFit, st);
    };
  }
  positionsByExamination(positions, q, ranker.order);
  return ranker;
}

/**
 * The ranked list for one round without validation (the simulator's hot path): list[ℓ] = action at position ℓ.
 * No allocation.
 */
export function decidePbmUnchecked(
  ranker: PbmRanker,
  xs: Float64Array,
  rng: Rng,
  out: Int32Array,
): Int32Array {
  const { scores, idx, top } = ranker.scratch;
  linearScores(ranker.bandit, xs, ranker.actions, rng, scores);
  topL(ranker.actions, ranker.positions, scores, idx, top);
  const order = ranker.order;
  for (let j = 0; j < ranker.positions; j++) out[order[j]!] = top[j]!;
  return out;
}

/**
 * Decides the ranked list of one round: scores, top-L, best action at the most examined position.
 *
 * @param ranker - the ranker.
 * @param xs - K*d row-major contextualised candidate vectors.
 * @param rng - randomness (LinTS draw).
 * @param out - receives L action indices, out[ℓ] at position ℓ (default: new).
 * @returns `out`.
 * @throws ALLOT_SHAPE_MISMATCH for a wrong number of features; ALLOT_NOT_FINITE for a non-finite one.
 */
export function decidePbm(
  ranker: PbmRanker,
  xs: Float64Array,
  rng: Rng,
  out: Int32Array = new Int32Array(ranker.positions),
): Int32Array {
  assertCandidates(xs, ranker.actions, ranker.bandit.config.d);
  if (out.length !== ranker.positions) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `out must have ${ranker.positions} entries (got ${out.length})`,
    );
  }
  return decidePbmUnchecked(ranker, xs, rng, out);
}

/** Learns one round without validation (hot path). No allocation. */
export function learnPbmUnchecked(
  ranker: PbmRanker,
  xs: Float64Array,
  list: Int32Array,
  z: Float64Array,
  rng: Rng,
): void {
  const bandit = ranker.bandit;
  const d = bandit.config.d;
  const q = ranker.q;
  const est = ranker.estimator;
  if (est.kind !== 'none' && est.kind !== 'real') {
    updatePositionBias(est, xs, d, list, z, q, linearMean(bandit), rng);
  }
  const ps = ranker.positionStats;
  const L = ranker.positions;
  const offsets = ranker.scratch.offsets;
  for (let l = 0; l < L; l++) offsets[l] = list[l]! * d;
  // 'exact' mode: the per-position statistics first (the bandit's refactorisation rebuilds its statistics from
  // them, and one may fall due in the batch); the bandit then adds only b, η, n (its statsSource)
  const pend = ranker.pending;
  if (ps !== null && pend !== null) {
    // buffered: positionStats takes four rounds per blocked pass (flushPositionStats; the refactorisation flushes)
    const base = pend.count * L;
    for (let l = 0; l < L; l++) {
      const src = offsets[l]!;
      const dst = (base + l) * d;
      for (let i = 0; i < d; i++) pend.x[dst + i] = xs[src + i]!;
      pend.z[base + l] = z[l]!;
    }
    pend.count++;
    if (pend.count === PENDING_ROUNDS) flushPositionStats(ranker);
  }
  // the L observations in position order, as L calls of observeLinear would learn them (blocked kernels)
  observeLinearBatch(bandit, xs, offsets, ps === null ? q : ranker.qFit, z, 0, L);
  if (est.kind !== 'none' && est.kind !== 'real') {
    currentPositionBias(est, xs, ranker.actions, d, q);
    positionsByExamination(ranker.positions, q, ranker.order);
    if (ps !== null && biasDrift(q, ranker.qFit) > ranker.refitTolerance) refitPbmRanker(ranker);
  }
}

/**
 * How far q̂ has moved from the q the regression was built with, as the relative L1 change of the regression
 * weights: Σ_ℓ |q̂_ℓ² − q_fit,ℓ²| / Σ_ℓ q_fit,ℓ². A position weighs by its share of the Gram matrix, so noise in the
 * estimate of a rarely examined position (q ≈ 0.01) does not trigger refits that would not change θ̂.
 */
export function biasDrift(q: Float64Array, qFit: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let l = 0; l < q.length; l++) {
    const f2 = qFit[l]! * qFit[l]!;
    num += Math.abs(q[l]! * q[l]! - f2);
    den += f2;
  }
  return den > 0 ? num / den : num > 0 ? Infinity : 0;
}

/**
 * Exact refit ('exact' mode): q_fit ← q̂ and the bandit's statistics ← Σ_ℓ q_fit,ℓ² V^ℓ, Σ_ℓ q_fit,ℓ b^ℓ (Eq. 1),
 * then its cache is refactored. O(L d²) + O(d³). A no-op for a ranker without per-position statistics.
 *
 * @throws ALLOT_NOT_POSITIVE_DEFINITE if the rebuilt system is not numerically positive definite.
 */
export function refitPbmRanker(ranker: PbmRanker): void {
  const ps = ranker.positionStats;
  if (ps === null) return;
  ranker.qFit.set(ranker.q);
  // the bandit's statsSource rebuilds its statistics from ps and qFit
  refactorLinearBandit(ranker.bandit);
  ranker.refits++;
}

/**
 * Learns the feedback of one shown list: one observation of Z^ℓ on q̂_ℓ A^ℓ per position, then the estimator.
 *
 * @param ranker - the ranker.
 * @param xs - the round's K*d candidate vectors (the ones the list was decided on).
 * @param list - the shown list (L distinct action indices, position order).
 * @param z - the observed feedback per position (length L).
 * @param rng - randomness (probit binarisation of fractional feedback).
 * @throws ALLOT_SHAPE_MISMATCH / ALLOT_NOT_FINITE / ALLOT_OUT_OF_RANGE for bad inputs.
 */
export function learnPbm(
  ranker: PbmRanker,
  xs: Float64Array,
  list: Int32Array,
  z: Float64Array,
  rng: Rng,
): void {
  assertCandidates(xs, ranker.actions, ranker.bandit.config.d);
  const L = ranker.positions;
  if (list.length !== L || z.length !== L) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `list and feedback must have ${L} entries (got ${list.length} and ${z.length})`,
    );
  }
  for (let l = 0; l < L; l++) {
    assertInteger(`list[${l}]`, list[l], 0, ranker.actions - 1);
    assertFinite(`feedback[${l}]`, z[l]);
    for (let m = 0; m < l; m++) {
      if (list[m] === list[l]) {
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `list must hold distinct actions (action ${list[l]} twice)`,
        );
      }
    }
  }
  learnPbmUnchecked(ranker, xs, list, z, rng);
}

/**
 * Random Selection: L distinct actions uniformly at random, in random order (partial Fisher–Yates). No allocation.
 *
 * @param k - number of actions.
 * @param l - list length <= k.
 * @param rng - randomness.
 * @param idx - scratch Int32Array of length >= k.
 * @param out - receives the l actions.
 * @returns `out`.
 */
export function randomList(k: number, l: number, rng: Rng, idx: Int32Array, out: Int32Array): Int32Array {
  for (let i = 0; i < k; i++) idx[i] = i;
  for (let i = 0; i < l; i++) {
    const j = i + rng.int(k - i);
    const t = idx[j]!;
    idx[j] = idx[i]!;
    idx[i] = t;
    out[i] = t;
  }
  return out;
}
