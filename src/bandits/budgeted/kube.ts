/**
 * Fractional KUBE (Tran-Thanh et al., AAAI 2012) for random costs, with Scheme T or Scheme R for multiple plays.
 */
import type { Rng } from '../../core/rng.js';
import { assertOneOf } from '../../core/validate.js';
import { checkArmsAndPlays } from './mrcb.js';
import {
  createIlfpWorkspace,
  ilfpOracleInto,
  schemeTInto,
  ZERO_COST_MAX_REWARD,
  ZERO_COST_RANDOM,
  type ZeroCostTieBreak,
} from './oracle.js';
import {
  addObservations,
  type BudgetedContext,
  type BudgetedPolicy,
  type BudgetScheme,
  cyclicArmsInto,
  MIN_NUMERATOR,
} from './policy.js';
import type { BudgetedStats } from './stats.js';

/** Options of fractional KUBE. */
export interface KubeOptions {
  /** Multiple-play scheme (default `'R'`). */
  readonly scheme?: BudgetScheme;
  /** Scheme R's oracle boundary case |Z0| >= L (default `'random'`). */
  readonly zeroCostTieBreak?: ZeroCostTieBreak;
}

/**
 * Creates fractional KUBE for random costs.
 *
 * @remarks
 * After the same ceil(K/L) cyclic rounds as MRCB, arm i has `u_i = mu_r_i + sqrt(2 ln t / n_i)` (t the round index,
 * n_i its pulls) and the empirical mean cost `mu_c_i` in place of KUBE's known cost (notes section 4.2). Scheme T
 * pulls the top-L arms by `u_i / mu_c_i` (+Infinity when mu_c_i = 0); Scheme R pulls `O(u, mu_c, L)`. The original
 * fractional KUBE is single-play with known deterministic costs; this random-cost, multiple-play form is the
 * mapping of Xia et al. 2016, Section 6.
 *
 * References: L. Tran-Thanh, A. Chapman, A. Rogers, N. R. Jennings, "Knapsack based optimal policies for
 * budget-limited multi-armed bandits", AAAI 2012, arXiv:1204.1909.
 *
 * @param K - arms, integer >= 1.
 * @param L - plays per round, integer in [1, K].
 * @param options - scheme and Scheme R tie-break.
 * @returns the policy.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad K, L; ALLOT_UNKNOWN_OPTION for an unknown scheme.
 */
export function createKube(K: number, L: number, options: KubeOptions = {}): BudgetedPolicy {
  checkArmsAndPlays(K, L);
  const scheme = assertOneOf('scheme', options.scheme ?? 'R', ['R', 'T'] as const);
  const zc = assertOneOf('zeroCostTieBreak', options.zeroCostTieBreak ?? 'random', ['random', 'maxReward']);
  const zcCode = zc === 'random' ? ZERO_COST_RANDOM : ZERO_COST_MAX_REWARD;
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const ws = createIlfpWorkspace(K);
  const init = Math.ceil(K / L);
  return {
    name: 'kube',
    scheme,
    K,
    L,
    decide(state: BudgetedStats, _ctx: BudgetedContext, rng: Rng, out: Int32Array): void {
      const t = state.rounds + 1;
      if (t <= init) {
        cyclicArmsInto(t, K, L, out);
        return;
      }
      const lnT = Math.log(t);
      for (let i = 0; i < K; i++) {
        const n = state.pulls[i]!;
        let u = 1;
        let c = 0;
        if (n > 0) {
          u = state.sumReward[i]! / n + Math.sqrt((2 * lnT) / n);
          c = state.sumCost[i]! / n;
        }
        if (scheme === 'T') {
          a[i] = c > 0 ? u / c : Infinity;
        } else {
          a[i] = Math.max(u, MIN_NUMERATOR);
          b[i] = c;
        }
      }
      if (scheme === 'T') schemeTInto(K, a, L, out);
      else ilfpOracleInto(K, a, b, L, out, ws, zcCode, false, rng);
    },
    learnInto(target, _ctx, arms, rewards, costs): void {
      addObservations(target, arms, rewards, costs, L);
    },
  };
}
