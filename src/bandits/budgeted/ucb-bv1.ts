/**
 * UCB-BV1 (Ding et al., AAAI 2013), used with Scheme T for multiple plays.
 */
import type { Rng } from '../../core/rng.js';
import { assertInInterval } from '../../core/validate.js';
import { checkArmsAndPlays } from './mrcb.js';
import { schemeTInto } from './oracle.js';
import { addObservations, type BudgetedContext, type BudgetedPolicy, cyclicArmsInto } from './policy.js';
import type { BudgetedStats } from './stats.js';

/** Options of UCB-BV1. */
export interface UcbBv1Options {
  /** lambda, a known lower bound on the expected costs, in (0, 1] (the simulator passes min_i mu_c_i). */
  readonly lambda: number;
}

/**
 * Creates UCB-BV1 (Scheme T only, as in Xia et al. 2016, Section 6).
 *
 * @remarks
 * After the ceil(K/L) cyclic rounds, arm i has index
 * `D_i = mu_r_i / mu_c_i + (1 + 1/lambda) eps_i / (lambda - eps_i)` with `eps_i = sqrt(ln(t-1) / n_i)`;
 * the round pulls the top-L arms by D (ties: lower index). Guard (notes section 4.4): `D_i = +Infinity` when
 * `eps_i >= lambda` or `mu_c_i = 0`, where the published formula is negative or undefined.
 *
 * References: W. Ding, T. Qin, X.-D. Zhang, T.-Y. Liu, "Multi-armed bandit with budget constraint and variable
 * costs", AAAI 2013, doi:10.1609/aaai.v27i1.8637.
 *
 * @param K - arms, integer >= 1.
 * @param L - plays per round, integer in [1, K].
 * @param options - lambda in (0, 1].
 * @returns the policy.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT / ALLOT_NOT_FINITE for bad K, L or lambda.
 */
export function createUcbBv1(K: number, L: number, options: UcbBv1Options): BudgetedPolicy {
  checkArmsAndPlays(K, L);
  const lambda = options.lambda;
  assertInInterval('lambda', lambda, 0, 1, true, false);
  const d = new Float64Array(K);
  const init = Math.ceil(K / L);
  const scale = 1 + 1 / lambda;
  return {
    name: 'ucb-bv1',
    scheme: 'T',
    K,
    L,
    decide(state: BudgetedStats, _ctx: BudgetedContext, _rng: Rng, out: Int32Array): void {
      const t = state.rounds + 1;
      if (t <= init) {
        cyclicArmsInto(t, K, L, out);
        return;
      }
      const lnT = Math.log(t - 1);
      for (let i = 0; i < K; i++) {
        const n = state.pulls[i]!;
        const c = n > 0 ? state.sumCost[i]! / n : 0;
        const eps = n > 0 ? Math.sqrt(lnT / n) : Infinity;
        d[i] =
          c === 0 || eps >= lambda ? Infinity : state.sumReward[i]! / n / c + (scale * eps) / (lambda - eps);
      }
      schemeTInto(K, d, L, out);
    },
    learnInto(target, _ctx, arms, rewards, costs): void {
      addObservations(target, arms, rewards, costs, L);
    },
  };
}
