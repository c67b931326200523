/**
 * Multi-task UCB with per-user counts (Guo, Naeff, Nikulkov and Zhu, Eq. 1): the optimism-based policy of the
 * short-video recommender, choosing a topic for one user among the topics available at time t.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInteger, assertNonNegative, toFiniteArray } from '../../core/validate.js';
import { checkAvailable } from './arm-stats.js';

/** A validated multi-task UCB policy: K arms (topics), the task weights alpha_T and the exploration scale gamma. */
export interface MultiTaskUcbPolicy {
  /** Number of arms K. */
  readonly k: number;
  /** Number of tasks |T|. */
  readonly tasks: number;
  /** Task weights alpha_T, length |T|. */
  readonly alpha: Float64Array;
  /** Exploration scale gamma >= 0 (0 is greedy on the weighted prediction). */
  readonly gamma: number;
  /**
   * Rule for N_{t,a}(C) = 0: 0 (default) gives a never-shown arm an infinite bonus (UCB1's "try every arm once");
   * a value n0 > 0 instead uses N_{t,a}(C) = n0 in the bonus, a finite optimism for never-shown arms.
   */
  readonly unseenCount: number;
  /**
   * Scale of gamma: `absolute` (default; the bonus is gamma sqrt(ln N_t / N_{t,a}) as in Eq. 1) or `spread` (the
   * bonus is gamma s_C sqrt(ln N_t / N_{t,a}) with s_C the standard deviation of the user's exploitation term
   * sum_T alpha_T rhat_a(T, C) across the arms considered: gamma in units of the user's own score spread).
   */
  readonly gammaScale: GammaScale;
}

/** How gamma is scaled: in score units (`absolute`) or in units of the user's score spread across arms (`spread`). */
export type GammaScale = 'absolute' | 'spread';

/**
 * Kernel: the standard deviation of `exploit[offset + a]` over the arms `available[0..n)` (all K arms when
 * `available` is undefined): the score spread s_C of the `spread` gamma scale.
 *
 * @returns the population standard deviation (0 for one arm).
 */
export function scoreSpread(
  exploit: Float64Array,
  offset: number,
  k: number,
  available?: ArrayLike<number>,
  nAvailable: number = available === undefined ? k : available.length,
): number {
  let s = 0;
  let ss = 0;
  for (let j = 0; j < nAvailable; j++) {
    const v = exploit[offset + (available === undefined ? j : available[j]!)]!;
    s += v;
    ss += v * v;
  }
  const m = s / nAvailable;
  return Math.sqrt(Math.max(0, ss / nAvailable - m * m));
}

/**
 * Per-user state: how often the recommender has shown each arm to this user. Additive: merging two states adds
 * the counts.
 */
export interface MultiTaskUcbState {
  /** N_{t,a}(C): impressions of arm a to the user, length K. */
  readonly counts: Float64Array;
  /** N_t(C): all impressions to the user (the sum of `counts`). */
  total: number;
}

/** Context of one decision: the reward model's predictions and the arms available now. */
export interface MultiTaskUcbContext {
  /** rhat_a(T, C), row-major |T| x K: `predictions[T * K + a]`. */
  readonly predictions: Float64Array;
  /** Arm indices available at t (A_t); all arms when omitted. */
  readonly available?: ArrayLike<number>;
}

/** The delta of one impression: arm `arm` shown once more. */
export interface MultiTaskUcbDelta {
  readonly arm: number;
  readonly count: number;
}

/**
 * Creates a multi-task UCB policy.
 *
 * @param opts - `k` arms (integer >= 1), `alpha` task weights (finite, length >= 1), `gamma` >= 0, `unseenCount`
 *   >= 0 (the N_{t,a}(C) = 0 rule; default 0: infinite bonus).
 * @returns the validated policy (plain data).
 * @throws ALLOT_OUT_OF_RANGE for k < 1 or gamma < 0; ALLOT_NOT_FINITE for a non-finite weight.
 */
export function createMultiTaskUcb(opts: {
  readonly k: number;
  readonly alpha: ArrayLike<number>;
  readonly gamma: number;
  readonly unseenCount?: number;
  readonly gammaScale?: GammaScale;
}): MultiTaskUcbPolicy {
  assertInteger('k', opts.k, 1);
  const alpha = toFiniteArray('alpha', Array.from(opts.alpha), 1);
  assertNonNegative('gamma', opts.gamma);
  const unseenCount = opts.unseenCount ?? 0;
  assertNonNegative('unseenCount', unseenCount);
  const gammaScale = opts.gammaScale ?? 'absolute';
  if (gammaScale !== 'absolute' && gammaScale !== 'spread') {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `gammaScale must be one of absolute, spread (got ${JSON.stringify(gammaScale)})`,
    );
  }
  return { k: opts.k, tasks: alpha.length, alpha, gamma: opts.gamma, unseenCount, gammaScale };
}

/**
 * Discounts a user's counts in place (N_{t,a} <- factor N_{t,a}, N_t <- factor N_t), e.g. once a day with
 * factor < 1, so that arms not shown for a while regain a bonus and drifting interests are re-explored.
 *
 * @param state - the user's counts.
 * @param factor - in (0, 1].
 * @returns `state`.
 * @throws ALLOT_OUT_OF_RANGE for a factor outside (0, 1].
 */
export function discountMultiTaskUcbState(state: MultiTaskUcbState, factor: number): MultiTaskUcbState {
  if (!(factor > 0 && factor <= 1)) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `factor must be in (0, 1] (got ${factor})`);
  }
  for (let i = 0; i < state.counts.length; i++) state.counts[i]! *= factor;
  state.total *= factor;
  return state;
}

/** An empty per-user state for `k` arms. */
export function createMultiTaskUcbState(k: number): MultiTaskUcbState {
  assertInteger('k', k, 1);
  return { counts: new Float64Array(k), total: 0 };
}

/**
 * The multi-task UCB score U_{t,a}(C) of one arm (Eq. 1).
 *
 * @remarks
 * U_{t,a}(C) = sum_T alpha_T * rhat_a(T, C) + gamma * sqrt(ln N_t(C) / N_{t,a}(C))   (Eq. 1 of the seed paper),
 * with N_{t,a}(C) the impressions of arm a to user C and N_t(C) all impressions to C.
 *
 * Rule for N_{t,a}(C) = 0 (the paper is silent): by default (unseenCount = 0) with gamma > 0 the bonus is
 * +Infinity, so an arm never shown to the user is chosen before any shown arm, as in UCB1; among several never-shown
 * arms the larger weighted prediction wins (then a random tie-break). With unseenCount = n0 > 0 a never-shown arm
 * gets the finite bonus gamma * sqrt(ln N_t(C) / n0) instead. With gamma = 0 there is no bonus at all (greedy).
 * For N_t(C) <= 1, ln N_t(C) <= 0 and the bonus of a shown arm is 0.
 *
 * References: H. Guo, R. Naeff, A. Nikulkov, Z. Zhu, "Optimism Based Exploration in Large-Scale Recommender
 * Systems", arXiv:2305.11206 (2023), Eq. 1.
 *
 * @param policy - the policy (alpha, gamma).
 * @param predictions - rhat, |T| x K row-major (trusted).
 * @param state - the user's counts (trusted).
 * @param arm - arm index in [0, K) (trusted).
 * @returns U_{t,a}(C); +Infinity for a never-shown arm when gamma > 0. gamma is used as given (absolute): the
 *   `spread` scale needs every arm, see {@link multiTaskUcbSelect} and {@link scoreSpread}.
 */
export function multiTaskUcbScore(
  policy: MultiTaskUcbPolicy,
  predictions: Float64Array,
  state: MultiTaskUcbState,
  arm: number,
): number {
  const k = policy.k;
  let exploit = 0;
  for (let t = 0; t < policy.tasks; t++) exploit += policy.alpha[t]! * predictions[t * k + arm]!;
  if (policy.gamma === 0) return exploit;
  let n = state.counts[arm]!;
  if (n <= 0) {
    if (policy.unseenCount <= 0) return Number.POSITIVE_INFINITY;
    n = policy.unseenCount;
  }
  return exploit + ucbBonus(policy.gamma, state.total > 1 ? Math.log(state.total) : 0, n);
}

/** gamma * sqrt(lnTotal / n) for n > 0 (a kernel; trusted inputs). */
function ucbBonus(gamma: number, lnTotal: number, n: number): number {
  return lnTotal > 0 ? gamma * Math.sqrt(lnTotal / n) : 0;
}

/**
 * Kernel: the arm of Eq. 1 among `available[0..nAvailable)`, given the exploitation term per arm.
 *
 * @remarks
 * Chooses argmax_{a in A_t} exploit[exploitOffset + a] + gamma * sqrt(ln total / counts[countsOffset + a]), with
 * the zero-count rule of {@link multiTaskUcbScore}; exact ties are broken uniformly at random by reservoir
 * sampling with `rng` (one uniform per tie). No allocation. Preconditions (not checked): nAvailable >= 1, indices in
 * range, gamma >= 0, counts >= 0.
 *
 * @param exploit - sum_T alpha_T rhat_a(T, C) per arm, read at `exploitOffset + a`.
 * @param counts - N_{t,a}(C) per arm, read at `countsOffset + a`.
 * @param total - N_t(C).
 * @param gamma - exploration scale >= 0.
 * @param unseenCount - the N_{t,a}(C) = 0 rule: 0 for an infinite bonus, n0 > 0 to use N_{t,a}(C) = n0.
 * @returns the chosen arm index.
 */
export function ucbSelect(
  exploit: Float64Array,
  exploitOffset: number,
  counts: Float64Array,
  countsOffset: number,
  total: number,
  gamma: number,
  unseenCount: number,
  available: ArrayLike<number>,
  nAvailable: number,
  rng: Rng,
): number {
  const lnTotal = total > 1 ? Math.log(total) : 0;
  let best = -1;
  let bestUnseen = false;
  let bestKey = Number.NEGATIVE_INFINITY;
  let ties = 0;
  for (let j = 0; j < nAvailable; j++) {
    const a = available[j]!;
    const e = exploit[exploitOffset + a]!;
    let unseen = false;
    let key = e;
    if (gamma > 0) {
      const n = counts[countsOffset + a]!;
      if (n > 0) key = e + ucbBonus(gamma, lnTotal, n);
      else if (unseenCount > 0) key = e + ucbBonus(gamma, lnTotal, unseenCount);
      else unseen = true;
    }
    if (best < 0 || (unseen && !bestUnseen) || (unseen === bestUnseen && key > bestKey)) {
      best = a;
      bestUnseen = unseen;
      bestKey = key;
      ties = 1;
    } else if (unseen === bestUnseen && key === bestKey) {
      ties++;
      if (rng.uniform() * ties < 1) best = a;
    }
  }
  return best;
}

/**
 * Kernel: the arm of Eq. 1 among `available[0..nAvailable)` from raw multi-task predictions (no allocation).
 *
 * @remarks Same rule as {@link ucbSelect}, the exploitation term sum_T alpha_T rhat_a(T, C) computed per arm; with
 * `gammaScale: 'spread'` gamma is multiplied by the spread of that term over the available arms.
 *
 * @param policy - alpha and gamma.
 * @param predictions - rhat, |T| x K row-major.
 * @param state - the user's counts.
 * @returns the chosen arm.
 */
export function multiTaskUcbSelect(
  policy: MultiTaskUcbPolicy,
  predictions: Float64Array,
  state: MultiTaskUcbState,
  available: ArrayLike<number>,
  nAvailable: number,
  rng: Rng,
): number {
  const k = policy.k;
  const tasks = policy.tasks;
  const alpha = policy.alpha;
  let gamma = policy.gamma;
  if (gamma > 0 && policy.gammaScale === 'spread') {
    let s = 0;
    let ss = 0;
    for (let j = 0; j < nAvailable; j++) {
      let e = 0;
      for (let t = 0; t < tasks; t++) e += alpha[t]! * predictions[t * k + available[j]!]!;
      s += e;
      ss += e * e;
    }
    const m = s / nAvailable;
    gamma *= Math.sqrt(Math.max(0, ss / nAvailable - m * m));
  }
  const unseenCount = policy.unseenCount;
  const counts = state.counts;
  const lnTotal = state.total > 1 ? Math.log(state.total) : 0;
  let best = -1;
  let bestUnseen = false;
  let bestKey = Number.NEGATIVE_INFINITY;
  let ties = 0;
  for (let j = 0; j < nAvailable; j++) {
    const a = available[j]!;
    let e = 0;
    for (let t = 0; t < tasks; t++) e += alpha[t]! * predictions[t * k + a]!;
    let unseen = false;
    let key = e;
    if (gamma > 0) {
      const n = counts[a]!;
      if (n > 0) key = e + ucbBonus(gamma, lnTotal, n);
      else if (unseenCount > 0) key = e + ucbBonus(gamma, lnTotal, unseenCount);
      else unseen = true;
    }
    if (best < 0 || (unseen && !bestUnseen) || (unseen === bestUnseen && key > bestKey)) {
      best = a;
      bestUnseen = unseen;
      bestKey = key;
      ties = 1;
    } else if (unseen === bestUnseen && key === bestKey) {
      ties++;
      if (rng.uniform() * ties < 1) best = a;
    }
  }
  return best;
}

/**
 * One multi-task UCB decision for one user (validated boundary over {@link multiTaskUcbSelect}).
 *
 * @param policy - the policy.
 * @param state - the user's counts N_{t,a}(C), N_t(C).
 * @param ctx - predictions (|T| x K) and the available arms A_t.
 * @param rng - random source for tie-breaking.
 * @returns the chosen arm, always one of `ctx.available`.
 * @throws ALLOT_SHAPE_MISMATCH when predictions or counts have the wrong length; ALLOT_NOT_FINITE for a non-finite
 *   prediction; ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE for a bad availability list.
 */
export function decideMultiTaskUcb(
  policy: MultiTaskUcbPolicy,
  state: MultiTaskUcbState,
  ctx: MultiTaskUcbContext,
  rng: Rng,
): number {
  const k = policy.k;
  if (ctx.predictions.length !== policy.tasks * k) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `predictions must have tasks * k = ${policy.tasks * k} entries (got ${ctx.predictions.length})`,
    );
  }
  if (state.counts.length !== k) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `state.counts must have k = ${k} entries (got ${state.counts.length})`,
    );
  }
  for (let i = 0; i < ctx.predictions.length; i++) {
    if (!Number.isFinite(ctx.predictions[i]!)) {
      throw new AllotError(
        'ALLOT_NOT_FINITE',
        `predictions[${i}] must be finite (got ${ctx.predictions[i]})`,
      );
    }
  }
  const avail = checkAvailable(k, ctx.available);
  return multiTaskUcbSelect(policy, ctx.predictions, state, avail, avail.length, rng);
}

/** The delta of showing `arm` once to the user (learning = adding it with {@link applyMultiTaskUcbDelta}). */
export function learnMultiTaskUcb(policy: MultiTaskUcbPolicy, arm: number): MultiTaskUcbDelta {
  assertInteger('arm', arm, 0, policy.k - 1);
  return { arm, count: 1 };
}

/** Adds a delta to a user's state in place and returns it. */
export function applyMultiTaskUcbDelta(
  state: MultiTaskUcbState,
  delta: MultiTaskUcbDelta,
): MultiTaskUcbState {
  assertInteger('delta.arm', delta.arm, 0, state.counts.length - 1);
  state.counts[delta.arm]! += delta.count;
  state.total += delta.count;
  return state;
}

/**
 * Merges two per-user states by adding counts (associative and commutative).
 *
 * @throws ALLOT_SHAPE_MISMATCH when the arm counts differ.
 */
export function mergeMultiTaskUcbState(a: MultiTaskUcbState, b: MultiTaskUcbState): MultiTaskUcbState {
  if (a.counts.length !== b.counts.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `a and b must have the same number of arms (got ${a.counts.length} and ${b.counts.length})`,
    );
  }
  const counts = new Float64Array(a.counts.length);
  for (let i = 0; i < counts.length; i++) counts[i] = a.counts[i]! + b.counts[i]!;
  return { counts, total: a.total + b.total };
}
