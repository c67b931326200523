/** Epsilon-greedy over additive arm statistics. */
import type { Rng } from '../../core/rng.js';
import { assertInInterval } from '../../core/validate.js';
import { type ArmStats, checkAvailable } from './arm-stats.js';

/** Context of one decision: the arms available now (all when omitted). */
export interface EpsilonGreedyContext {
  readonly available?: ArrayLike<number>;
}

/**
 * Epsilon-greedy: with probability epsilon a uniformly random available arm, otherwise the available arm with the
 * largest mean reward S_a / n_a (never-pulled arms first, as their mean is unknown; ties at random).
 *
 * @remarks References: R. S. Sutton and A. G. Barto, "Reinforcement Learning: An Introduction", 2nd ed. (2018),
 * section 2.2.
 *
 * @param stats - additive statistics.
 * @param ctx - available arms.
 * @param rng - random source (one uniform, plus one for the explored arm or per tie).
 * @param epsilon - exploration probability in [0, 1].
 * @returns the chosen arm.
 * @throws ALLOT_OUT_OF_RANGE for epsilon outside [0, 1]; errors of the availability list.
 */
export function decideEpsilonGreedy(
  stats: ArmStats,
  ctx: EpsilonGreedyContext,
  rng: Rng,
  epsilon: number,
): number {
  assertInInterval('epsilon', epsilon, 0, 1);
  const avail = checkAvailable(stats.k, ctx.available);
  if (rng.uniform() < epsilon) return avail[rng.int(avail.length)]!;
  let best = -1;
  let bestKey = Number.NEGATIVE_INFINITY;
  let ties = 0;
  for (let j = 0; j < avail.length; j++) {
    const a = avail[j]!;
    const n = stats.counts[a]!;
    const key = n > 0 ? stats.sums[a]! / n : Number.POSITIVE_INFINITY;
    if (key > bestKey) {
      bestKey = key;
      best = a;
      ties = 1;
    } else if (key === bestKey) {
      ties++;
      if (rng.uniform() * ties < 1) best = a;
    }
  }
  return best;
}
