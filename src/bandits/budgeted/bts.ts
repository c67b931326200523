/**
 * BTS, Budgeted Thompson Sampling (Xia et al., IJCAI 2015), with the Bernoulli-trial trick and Scheme T or R.
 */
import type { Rng } from '../../core/rng.js';
import { sampleBetaPosteriorInto } from '../../core/samplers.js';
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
  MIN_NUMERATOR,
} from './policy.js';
import type { BudgetedStats } from './stats.js';

/** Options of BTS. */
export interface BtsOptions {
  /** Multiple-play scheme (default `'R'`). */
  readonly scheme?: BudgetScheme;
  /** Scheme R's oracle boundary case |Z0| >= L (default `'random'`). */
  readonly zeroCostTieBreak?: ZeroCostTieBreak;
}

/**
 * The Bernoulli trial of BTS: returns 1 with probability x in [0, 1], else 0; x already in {0, 1} is returned
 * unchanged without drawing.
 */
export function bernoulliTrial(x: number, rng: Rng): number {
  if (x === 0 || x === 1) return x;
  // uniform53(rng), written out: as a call it was not inlined here, and its double came back boxed.
  const hi = rng.uint32() >>> 5;
  const lo = rng.uint32() >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992 < x ? 1 : 0;
}

/**
 * Creates Budgeted Thompson Sampling.
 *
 * @remarks
 * Per arm, Beta(1, 1) priors on reward and cost; an observation r in [0, 1] becomes a Bernoulli trial
 * `r~ ~ Bernoulli(r)` added to successes S^r (failures F^r = pulls - S^r), and the same for the cost, which keeps the
 * posteriors conjugate for any [0, 1] distribution. Each round draws `theta_r_i ~ Beta(S^r_i + 1, F^r_i + 1)` and
 * `theta_c_i ~ Beta(S^c_i + 1, F^c_i + 1)`; Scheme T pulls the top-L arms by `theta_r / theta_c`, Scheme R pulls
 * `O(theta_r, theta_c, L)`. No initialisation rounds.
 *
 * References: Y. Xia, H. Li, T. Qin, N. Yu, T.-Y. Liu, "Thompson sampling for budgeted multi-armed bandits",
 * IJCAI 2015, arXiv:1505.00146.
 *
 * @param K - arms, integer >= 1.
 * @param L - plays per round, integer in [1, K].
 * @param options - scheme and Scheme R tie-break.
 * @returns the policy.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad K, L; ALLOT_UNKNOWN_OPTION for an unknown scheme.
 */
export function createBts(K: number, L: number, options: BtsOptions = {}): BudgetedPolicy {
  checkArmsAndPlays(K, L);
  const scheme = assertOneOf('scheme', options.scheme ?? 'R', ['R', 'T'] as const);
  const zc = assertOneOf('zeroCostTieBreak', options.zeroCostTieBreak ?? 'random', ['random', 'maxReward']);
  const zcCode = zc === 'random' ? ZERO_COST_RANDOM : ZERO_COST_MAX_REWARD;
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const ws = createIlfpWorkspace(K);
  const thetaR = new Float64Array(K);
  const thetaC = new Float64Array(K);
  const one = new Int32Array(1);
  const cand = new Int32Array(K);
  return {
    name: 'bts',
    scheme,
    K,
    L,
    decide(state: BudgetedStats, _ctx: BudgetedContext, rng: Rng, out: Int32Array): void {
      // theta_c_i ~ Beta(S^c_i + 1, F^c_i + 1) for every arm, then theta_r_i ~ Beta(S^r_i + 1, F^r_i + 1): blocks of
      // draws on a xoshiro128** seeded from rng (see sampleBetaPosteriorInto).
      const pulls = state.pulls;
      sampleBetaPosteriorInto(rng, K, state.trialCost, pulls, thetaC);
      if (L === 1) {
        // Only the arms that can still win. The answer is the arm of largest key a_i / b_i (ties: lower index), and
        // a_i = max(theta_r_i, 1e-12) <= 1, so an arm with 1 / theta_c_i < the key of an arm already drawn cannot
        // win nor tie: its theta_r is not drawn, and a_i = MIN_NUMERATOR (a key below the bound) stands in for it.
        // Same answer as drawing every theta_r (floating-point division is monotone in the numerator). The arm
        // drawn first is the most pulled one (lowest index on ties), usually the winner: a function of the state
        // alone, so the draws do not depend on the policy object's history.
        let last = 0;
        for (let i = 1; i < K; i++) if (pulls[i]! > pulls[last]!) last = i;
        one[0] = last;
        sampleBetaPosteriorInto(rng, 1, state.trialReward, pulls, thetaR, one);
        const tc0 = thetaC[last]!;
        // The drawn arm's key exactly as below (Scheme T) and in the oracle's L = 1 ranking (Scheme R).
        const tr0 = thetaR[last]!;
        const bound =
          scheme === 'T'
            ? tc0 > 0
              ? tr0 / tc0
              : Infinity
            : tc0 === 0
              ? Infinity
              : Math.max(tr0, MIN_NUMERATOR) / tc0;
        let m = 0;
        let zeroCost = tc0 === 0;
        for (let i = 0; i < K; i++) {
          if (i === last) continue;
          const tc = thetaC[i]!;
          if (tc === 0) zeroCost = true;
          // 1 / tc < bound, decided by the product when it is clear of 1 by far more than the rounding of either
          // side (a division costs several products); NaN (0 * Infinity) goes to the division.
          const p = tc * bound;
          const skip = p > 1 + 1e-9 ? true : p < 1 - 1e-9 ? false : 1 / tc < bound;
          if (skip) thetaR[i] = MIN_NUMERATOR;
          else cand[m++] = i;
        }
        sampleBetaPosteriorInto(rng, m, state.trialReward, pulls, thetaR, cand);
        // The top-1 by key (ties: lower index) over the drawn arms, as schemeTInto and the oracle's L = 1 ranking
        // compute it; Scheme R with a zero-cost draw goes to the oracle (its random zero-cost rule draws from rng).
        if (scheme === 'T' || !zeroCost) {
          let best = last;
          let bestKey = bound;
          for (let k = 0; k < m; k++) {
            const i = cand[k]!;
            const tc = thetaC[i]!;
            const tr = thetaR[i]!;
            const key = scheme === 'T' ? (tc > 0 ? tr / tc : Infinity) : Math.max(tr, MIN_NUMERATOR) / tc;
            if (key > bestKey || (key === bestKey && i < best)) {
              best = i;
              bestKey = key;
            }
          }
          out[0] = best;
          return;
        }
      } else {
        sampleBetaPosteriorInto(rng, K, state.trialReward, pulls, thetaR);
      }
      for (let i = 0; i < K; i++) {
        const tr = thetaR[i]!;
        const tc = thetaC[i]!;
        if (scheme === 'T') {
          a[i] = tc > 0 ? tr / tc : Infinity;
        } else {
          a[i] = Math.max(tr, MIN_NUMERATOR);
          b[i] = tc;
        }
      }
      if (scheme === 'T') schemeTInto(K, a, L, out);
      else ilfpOracleInto(K, a, b, L, out, ws, zcCode, false, rng);
    },
    learnInto(target, _ctx, arms, rewards, costs, rng): void {
      addObservations(target, arms, rewards, costs, L);
      for (let k = 0; k < L; k++) {
        const i = arms[k]!;
        target.trialReward[i]! += bernoulliTrial(rewards[k]!, rng);
        target.trialCost[i]! += bernoulliTrial(costs[k]!, rng);
      }
    },
  };
}
