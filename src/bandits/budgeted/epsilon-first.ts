/**
 * epsilon-first (Tran-Thanh et al., AAAI 2010) for random costs, with Scheme T or Scheme R for multiple plays.
 */
import type { Rng } from '../../core/rng.js';
import { assertInInterval, assertOneOf, assertPositive } from '../../core/validate.js';
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
  assertObservations,
  type BudgetedContext,
  type BudgetedPolicy,
  type BudgetScheme,
  cyclicArmsInto,
  MIN_NUMERATOR,
} from './policy.js';
import type { BudgetedStats } from './stats.js';

/** The paper's epsilon (Section 6, following Tran-Thanh et al. 2010 and Xia et al. 2015). */
export const EPSILON_FIRST_DEFAULT_EPSILON = 0.1;

/** Options of epsilon-first. */
export interface EpsilonFirstOptions {
  /** The budget B of the run (epsilon-first is not anytime: it explores until epsilon B is spent). */
  readonly budget: number;
  /** Exploration share epsilon in (0, 1) (default 0.1). */
  readonly epsilon?: number;
  /** Multiple-play scheme (default `'R'`). */
  readonly scheme?: BudgetScheme;
  /** Scheme R's oracle boundary case |Z0| >= L (default `'random'`, drawn once when exploitation starts). */
  readonly zeroCostTieBreak?: ZeroCostTieBreak;
}

/**
 * Creates epsilon-first.
 *
 * @remarks
 * While the budget spent is below epsilon B, pull L consecutive arms cyclically (the paper's "one by one"; for L > 1
 * the cyclic rounds of MRCB's initialisation). Then freeze the estimates: `learnInto` ignores rounds that start with
 * spent >= epsilon B, and every later round pulls the same super arm, the top-L by `mu_r / mu_c` (Scheme T) or
 * `O(mu_r, mu_c, L)` (Scheme R), computed once (notes section 4.1). Arms never pulled count as mu_r = mu_c = 0
 * (ratio +Infinity).
 *
 * References: L. Tran-Thanh, A. Chapman, E. Munoz de Cote, A. Rogers, N. R. Jennings, "Epsilon-first policies for
 * budget-limited multi-armed bandits", AAAI 2010, doi:10.1609/aaai.v24i1.7758.
 *
 * @param K - arms, integer >= 1.
 * @param L - plays per round, integer in [1, K].
 * @param options - budget (> 0), epsilon, scheme, tie-break.
 * @returns the policy (it caches the frozen super arm for the statistics object it last saw).
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT / ALLOT_NOT_FINITE for bad K, L, budget or epsilon;
 *   ALLOT_UNKNOWN_OPTION for an unknown scheme.
 */
export function createEpsilonFirst(K: number, L: number, options: EpsilonFirstOptions): BudgetedPolicy {
  checkArmsAndPlays(K, L);
  assertPositive('budget', options.budget);
  const epsilon = options.epsilon ?? EPSILON_FIRST_DEFAULT_EPSILON;
  assertInInterval('epsilon', epsilon, 0, 1, true, true);
  const scheme = assertOneOf('scheme', options.scheme ?? 'R', ['R', 'T'] as const);
  const zc = assertOneOf('zeroCostTieBreak', options.zeroCostTieBreak ?? 'random', ['random', 'maxReward']);
  const zcCode = zc === 'random' ? ZERO_COST_RANDOM : ZERO_COST_MAX_REWARD;
  const explore = epsilon * options.budget;
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const ws = createIlfpWorkspace(K);
  const frozen = new Int32Array(L);
  let frozenFor: BudgetedStats | null = null;
  let frozenRounds = -1;
  return {
    name: 'eps-first',
    scheme,
    K,
    L,
    decide(state: BudgetedStats, ctx: BudgetedContext, rng: Rng, out: Int32Array): void {
      if (ctx.spent < explore) {
        cyclicArmsInto(state.rounds + 1, K, L, out);
        return;
      }
      if (frozenFor !== state || frozenRounds !== state.rounds) {
        for (let i = 0; i < K; i++) {
          const n = state.pulls[i]!;
          const r = n > 0 ? state.sumReward[i]! / n : 0;
          const c = n > 0 ? state.sumCost[i]! / n : 0;
          if (scheme === 'T') {
            a[i] = c > 0 ? r / c : Infinity;
          } else {
            a[i] = Math.max(r, MIN_NUMERATOR);
            b[i] = c;
          }
        }
        if (scheme === 'T') schemeTInto(K, a, L, frozen);
        else ilfpOracleInto(K, a, b, L, frozen, ws, zcCode, false, rng);
        frozenFor = state;
        frozenRounds = state.rounds;
      }
      for (let k = 0; k < L; k++) out[k] = frozen[k]!;
    },
    learnInto(target, ctx, arms, rewards, costs): void {
      if (ctx.spent < explore) addObservations(target, arms, rewards, costs, L);
      else assertObservations(K, L, arms, rewards, costs);
    },
  };
}
