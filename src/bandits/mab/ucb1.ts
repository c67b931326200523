/**
 * UCB1 (Auer, Cesa-Bianchi and Fischer 2002) over the available arms.
 */
import type { Rng } from '../../core/rng.js';
import { assertNonNegative } from '../../core/validate.js';
import { type ArmStats, checkAvailable } from './arm-stats.js';

/** Context of one UCB1 decision: the arms available now (all when omitted). */
export interface Ucb1Context {
  readonly available?: ArrayLike<number>;
}

/**
 * The UCB1 index of arm `a`: mean reward plus `c * sqrt(2 ln n / n_a)`.
 *
 * @remarks
 * U_a = S_a / n_a + c * sqrt(2 ln n / n_a) with n = sum of pulls (Auer et al. 2002, UCB1; c = 1 is the original).
 * An arm never pulled (n_a = 0) has index +Infinity, so every arm is tried once first.
 *
 * References: P. Auer, N. Cesa-Bianchi, P. Fischer, "Finite-time analysis of the multiarmed bandit problem",
 * Machine Learning 47, 235–256 (2002). doi:10.1023/A:1013689704352.
 *
 * @param stats - additive arm statistics.
 * @param arm - arm index in [0, K) (trusted).
 * @param total - total pulls n (sum of counts; trusted).
 * @param c - exploration scale >= 0.
 * @returns the index (Infinity for an unpulled arm).
 */
export function ucb1Index(stats: ArmStats, arm: number, total: number, c: number): number {
  const n = stats.counts[arm]!;
  if (n <= 0) return Number.POSITIVE_INFINITY;
  const bonus = total > 1 ? c * Math.sqrt((2 * Math.log(total)) / n) : 0;
  return stats.sums[arm]! / n + bonus;
}

/**
 * Chooses the available arm with the largest UCB1 index; ties are broken uniformly at random with `rng`.
 *
 * @param stats - additive arm statistics.
 * @param ctx - available arms (all when omitted).
 * @param rng - random source for tie-breaking.
 * @param c - exploration scale >= 0 (default 1).
 * @returns the chosen arm index.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE for an empty or out-of-range availability list or c < 0.
 */
export function decideUcb1(stats: ArmStats, ctx: Ucb1Context, rng: Rng, c = 1): number {
  assertNonNegative('c', c);
  const avail = checkAvailable(stats.k, ctx.available);
  let total = 0;
  for (let i = 0; i < stats.k; i++) total += stats.counts[i]!;
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  let ties = 0;
  for (let j = 0; j < avail.length; j++) {
    const a = avail[j]!;
    const s = ucb1Index(stats, a, total, c);
    if (s > bestScore) {
      bestScore = s;
      best = a;
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (rng.uniform() * ties < 1) best = a;
    }
  }
  return best;
}
