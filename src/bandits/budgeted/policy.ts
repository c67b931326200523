/**
 * The shape every budgeted multiple-play policy shares: `decide(state, ctx, rng, out)` picks L distinct arms from
 * additive statistics, `learnInto(target, ...)` adds one round's observations (the delta) into `target`.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { type BudgetedStats, createBudgetedStats } from './stats.js';

/** The policies of Xia et al. 2016, Section 6. */
export type BudgetedPolicyName = 'mrcb' | 'bts' | 'kube' | 'eps-first' | 'ucb-bv1';
/** The canonical order of the policy names (also the CLI's default list). */
export const BUDGETED_POLICY_NAMES: readonly BudgetedPolicyName[] = [
  'mrcb',
  'bts',
  'kube',
  'eps-first',
  'ucb-bv1',
];
/**
 * Multiple-play schemes (Section 6): `'T'` pulls the top-L arms by a per-arm ratio index, `'R'` pulls the L arms
 * maximising the ratio of sums through the oracle O(a, b, L).
 */
export type BudgetScheme = 'R' | 'T';

/** What a policy may know about the run besides its statistics. */
export interface BudgetedContext {
  /** Budget spent before the current round (used by epsilon-first only). */
  spent: number;
}

/** A budgeted multiple-play policy over {@link BudgetedStats}. */
export interface BudgetedPolicy {
  /** A policy name, or `'mg'` for the known-means reference M_g (Algorithm 1). */
  readonly name: BudgetedPolicyName | 'mg';
  /** The multiple-play scheme, or null for MRCB (which is its own scheme R). */
  readonly scheme: BudgetScheme | null;
  /** Number of arms. */
  readonly K: number;
  /** Arms pulled per round. */
  readonly L: number;
  /**
   * Writes the L distinct arms to pull this round (ascending) into `out[0..L)`. Does not modify `state`.
   *
   * @param state - statistics of the rounds so far.
   * @param ctx - budget spent so far.
   * @param rng - generator for randomised choices (Thompson draws, zero-cost tie-breaks).
   * @param out - length >= L.
   */
  decide(state: BudgetedStats, ctx: BudgetedContext, rng: Rng, out: Int32Array): void;
  /**
   * Adds one round's observations (arms[k] gave rewards[k], costs[k], each in [0, 1]) into `target`. Pass the state
   * itself to learn in place, or fresh statistics to get the delta (then merge it later).
   */
  learnInto(
    target: BudgetedStats,
    ctx: BudgetedContext,
    arms: ArrayLike<number>,
    rewards: ArrayLike<number>,
    costs: ArrayLike<number>,
    rng: Rng,
  ): void;
}

/**
 * One round's delta: fresh statistics holding only this round's observations (`mergeBudgetedStats(state, delta)`
 * equals learning in place).
 */
export function budgetedDelta(
  policy: BudgetedPolicy,
  ctx: BudgetedContext,
  arms: ArrayLike<number>,
  rewards: ArrayLike<number>,
  costs: ArrayLike<number>,
  rng: Rng,
): BudgetedStats {
  const d = createBudgetedStats(policy.K);
  policy.learnInto(d, ctx, arms, rewards, costs, rng);
  return d;
}

/**
 * Checks one round's observations: L arm indices in [0, K) and rewards and costs in [0, 1] (the model of Xia et al.
 * 2016, Section 2; BTS's Bernoulli trials and the confidence bounds assume it).
 *
 * @param K - number of arms.
 * @param L - plays per round.
 * @throws ALLOT_SHAPE_MISMATCH when an array has fewer than L entries; ALLOT_OUT_OF_RANGE for an arm outside
 *   [0, K) or a reward or cost outside [0, 1] (NaN included).
 */
export function assertObservations(
  K: number,
  L: number,
  arms: ArrayLike<number>,
  rewards: ArrayLike<number>,
  costs: ArrayLike<number>,
): void {
  if (arms.length < L || rewards.length < L || costs.length < L) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `arms, rewards and costs must have L = ${L} entries (got ${arms.length}, ${rewards.length}, ${costs.length})`,
    );
  }
  for (let k = 0; k < L; k++) {
    const i = arms[k]!;
    if (!(Number.isInteger(i) && i >= 0 && i < K)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `arms[${k}] must be an integer in [0, ${K}) (got ${i})`);
    }
    const r = rewards[k]!;
    if (!(r >= 0 && r <= 1))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `rewards[${k}] must be in [0, 1] (got ${r})`);
    const c = costs[k]!;
    if (!(c >= 0 && c <= 1))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `costs[${k}] must be in [0, 1] (got ${c})`);
  }
}

/**
 * Adds counts and sums of one round (no Bernoulli trials), after {@link assertObservations}.
 *
 * @throws the errors of {@link assertObservations}.
 */
export function addObservations(
  target: BudgetedStats,
  arms: ArrayLike<number>,
  rewards: ArrayLike<number>,
  costs: ArrayLike<number>,
  L: number,
): void {
  assertObservations(target.pulls.length, L, arms, rewards, costs);
  target.rounds += 1;
  for (let k = 0; k < L; k++) {
    const i = arms[k]!;
    target.pulls[i]! += 1;
    target.sumReward[i]! += rewards[k]!;
    target.sumCost[i]! += costs[k]!;
  }
}

/**
 * The cyclic initialisation of Algorithm 3 (line 3), 0-based: round t (1-based) pulls `((t-1)L + j) mod K` for
 * j = 0..L-1, L consecutive arms, written ascending into `out`.
 */
export function cyclicArmsInto(t: number, K: number, L: number, out: Int32Array): void {
  const start = ((t - 1) * L) % K;
  // L consecutive arms from `start`, wrapping: write the wrapped part first so `out` is ascending.
  const wrap = Math.max(0, start + L - K);
  for (let j = 0; j < wrap; j++) out[j] = j;
  for (let j = wrap; j < L; j++) out[j] = start + j - wrap;
}

/** Clamp for oracle numerators (the oracle needs a_i > 0; notes section 2.4). */
export const MIN_NUMERATOR = 1e-12;
