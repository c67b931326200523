/**
 * Additive sufficient statistics of a K-armed bandit: per-arm pull counts, reward sums and sums of squares.
 * Every policy of `bandits/mab` (UCB1, Thompson sampling, epsilon-greedy) decides from this plain-data state;
 * learning returns a delta and merging adds states, so replicas can learn apart and merge in any order.
 */
import { AllotError } from '../../core/errors.js';
import { assertFinite, assertInteger } from '../../core/validate.js';

/** Per-arm additive statistics: `counts[a]` pulls, `sums[a]` total reward, `sumSquares[a]` total squared reward. */
export interface ArmStats {
  /** Number of arms K >= 1. */
  readonly k: number;
  /** Pulls per arm, length K. */
  readonly counts: Float64Array;
  /** Sum of rewards per arm, length K. */
  readonly sums: Float64Array;
  /** Sum of squared rewards per arm, length K. */
  readonly sumSquares: Float64Array;
}

/** One observation folded into statistics: `count` pulls of `arm` with reward total `sum` and `sumSquares`. */
export interface ArmDelta {
  readonly arm: number;
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/**
 * Empty statistics for `k` arms.
 *
 * @param k - number of arms, an integer >= 1.
 * @returns zero counts and sums.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE when k is not an integer >= 1.
 */
export function createArmStats(k: number): ArmStats {
  assertInteger('k', k, 1);
  return { k, counts: new Float64Array(k), sums: new Float64Array(k), sumSquares: new Float64Array(k) };
}

/**
 * The delta of observing `reward` after pulling `arm` (learning is adding this delta).
 *
 * @param stats - the statistics the arm belongs to (checked for the arm range only; not modified).
 * @param arm - arm index in [0, K).
 * @param reward - a finite reward.
 * @returns `{arm, count: 1, sum: reward, sumSquares: reward^2}`.
 * @throws ALLOT_OUT_OF_RANGE for a bad arm; ALLOT_NOT_FINITE for a non-finite reward.
 */
export function learnArm(stats: ArmStats, arm: number, reward: number): ArmDelta {
  assertInteger('arm', arm, 0, stats.k - 1);
  assertFinite('reward', reward);
  return { arm, count: 1, sum: reward, sumSquares: reward * reward };
}

/**
 * Adds a delta to statistics in place (the only mutation learning needs).
 *
 * @returns the same `stats`.
 * @throws ALLOT_OUT_OF_RANGE when the delta's arm is outside [0, K).
 */
export function applyArmDelta(stats: ArmStats, delta: ArmDelta): ArmStats {
  assertInteger('delta.arm', delta.arm, 0, stats.k - 1);
  stats.counts[delta.arm]! += delta.count;
  stats.sums[delta.arm]! += delta.sum;
  stats.sumSquares[delta.arm]! += delta.sumSquares;
  return stats;
}

/**
 * Merges two statistics by addition: associative and commutative (up to floating-point rounding of sums).
 *
 * @returns new statistics, `a + b` entrywise.
 * @throws ALLOT_SHAPE_MISMATCH when the arm counts differ.
 */
export function mergeArmStats(a: ArmStats, b: ArmStats): ArmStats {
  if (a.k !== b.k) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `a and b must have the same number of arms (got ${a.k} and ${b.k})`,
    );
  }
  const out = createArmStats(a.k);
  for (let i = 0; i < a.k; i++) {
    out.counts[i] = a.counts[i]! + b.counts[i]!;
    out.sums[i] = a.sums[i]! + b.sums[i]!;
    out.sumSquares[i] = a.sumSquares[i]! + b.sumSquares[i]!;
  }
  return out;
}

/**
 * Checks an optional list of available arms and returns it as indices (all arms when omitted).
 *
 * @throws ALLOT_INVALID_ARGUMENT when empty; ALLOT_OUT_OF_RANGE for an index outside [0, K).
 */
export function checkAvailable(k: number, available: ArrayLike<number> | undefined): ArrayLike<number> {
  if (available === undefined) {
    const all = new Int32Array(k);
    for (let i = 0; i < k; i++) all[i] = i;
    return all;
  }
  if (available.length === 0) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'available must list at least one arm (got 0)');
  }
  for (let i = 0; i < available.length; i++) assertInteger(`available[${i}]`, available[i], 0, k - 1);
  return available;
}
