/**
 * M_g, the greedy policy for known distributions (Xia et al. 2016, Algorithm 1): always pull the nearly-optimal
 * super arm I*. A reference: its regret is the noise floor every learning policy pays on top of.
 */
import type { Rng } from '../../core/rng.js';
import { solveIlfp } from './oracle.js';
import { addObservations, type BudgetedContext, type BudgetedPolicy } from './policy.js';
import type { BudgetedStats } from './stats.js';

/**
 * Creates M_g: it pulls `I* = O(mu_r, mu_c, L)` (Eq. 2) every round.
 *
 * @remarks
 * Lemma 1 of the paper: its expected reward is at least `(B - L) rho*_L`, within `2 L rho*_L` of the optimal policy,
 * so the spread of its regret `B rho*_L - reward` is the randomness of rewards and of the stopping time alone.
 *
 * @param rewardMean - true mean rewards, K values > 0.
 * @param costMean - true mean costs, K values >= 0.
 * @param L - plays per round, in [1, K].
 * @returns the policy (name `'mg'`, scheme null).
 * @throws the errors of {@link solveIlfp}.
 */
export function createKnownMeansPolicy(
  rewardMean: ArrayLike<number>,
  costMean: ArrayLike<number>,
  L: number,
): BudgetedPolicy {
  const best = Int32Array.from(solveIlfp(rewardMean, costMean, L, { zeroCostTieBreak: 'maxReward' }).arms);
  return {
    name: 'mg',
    scheme: null,
    K: rewardMean.length,
    L,
    decide(_state: BudgetedStats, _ctx: BudgetedContext, _rng: Rng, out: Int32Array): void {
      out.set(best);
    },
    learnInto(target, _ctx, arms, rewards, costs): void {
      addObservations(target, arms, rewards, costs, L);
    },
  };
}
