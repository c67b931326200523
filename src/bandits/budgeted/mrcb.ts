/**
 * MRCB, the Multiple Ratio Confidence Bound policy (Xia et al., IJCAI 2016, Algorithm 3).
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInteger, assertOneOf, assertPositive } from '../../core/validate.js';
import {
  createIlfpWorkspace,
  type IlfpWorkspace,
  ilfpOracleInto,
  type OracleTieBreak,
  ZERO_COST_MAX_REWARD,
  ZERO_COST_RANDOM,
  type ZeroCostTieBreak,
} from './oracle.js';
import {
  addObservations,
  type BudgetedContext,
  type BudgetedPolicy,
  cyclicArmsInto,
  MIN_NUMERATOR,
} from './policy.js';
import type { BudgetedStats } from './stats.js';

/** The paper's kappa (Section 6: searched over {2^-10, 2^-7, 2^-4, 2^1}, 2^-4 used throughout). */
export const MRCB_DEFAULT_KAPPA = 0.0625;

/** Options of MRCB. */
export interface MrcbOptions {
  /** Confidence scale kappa > 0 (default 2^-4 = 0.0625). */
  readonly kappa?: number;
  /** Boundary case |Z0| >= L of the oracle (default `'random'`, the paper). */
  readonly zeroCostTieBreak?: ZeroCostTieBreak;
  /** Ties at the oracle's optimum (default `'index'`). */
  readonly tieBreak?: OracleTieBreak;
}

/** Validates K and L of a policy. */
export function checkArmsAndPlays(K: number, L: number): void {
  assertInteger('K', K, 1);
  assertInteger('L', L, 1);
  if (L > K) throw new AllotError('ALLOT_OUT_OF_RANGE', `L must be <= K = ${K} (got ${L})`);
}

/**
 * Creates MRCB for K arms and L plays per round.
 *
 * @remarks
 * Rounds t = 1..ceil(K/L) pull L consecutive arms cyclically (Algorithm 3, line 3). Afterwards, with T_i pulls and
 * empirical means of arm i, Eq. (4)-(6): `E_i = sqrt(kappa ln(t-1) / T_i)`, `u_i = min(mu_r_i + E_i, 1)` (truncated
 * UCB of the reward), `l_i = max(mu_c_i - E_i, 0)` (truncated LCB of the cost), and the round pulls
 * `O(u, l, L)`, the exact 0-1 ILFP oracle (Algorithm 3, line 6). `u_i` is clamped to >= 1e-12 (the oracle needs
 * a_i > 0); an arm never pulled gets u = 1, l = 0. t is the round index (`state.rounds + 1`).
 *
 * References: Y. Xia, T. Qin, W. Ma, N. Yu, T.-Y. Liu, "Budgeted Multi-Armed Bandits with Multiple Plays",
 * IJCAI 2016, pp. 2210-2216.
 *
 * @param K - arms, integer >= 1.
 * @param L - plays per round, integer in [1, K].
 * @param options - kappa and oracle tie-breaks.
 * @returns the policy (its workspace is private; the state is a {@link BudgetedStats}).
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad K, L or kappa; ALLOT_UNKNOWN_OPTION for an unknown
 *   tie-break.
 */
export function createMrcb(K: number, L: number, options: MrcbOptions = {}): BudgetedPolicy {
  checkArmsAndPlays(K, L);
  const kappa = options.kappa ?? MRCB_DEFAULT_KAPPA;
  assertPositive('kappa', kappa);
  const zc = assertOneOf('zeroCostTieBreak', options.zeroCostTieBreak ?? 'random', ['random', 'maxReward']);
  const tb = assertOneOf('tieBreak', options.tieBreak ?? 'index', ['index', 'random']);
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const ws: IlfpWorkspace = createIlfpWorkspace(K);
  const init = Math.ceil(K / L);
  const zcCode = zc === 'random' ? ZERO_COST_RANDOM : ZERO_COST_MAX_REWARD;
  return {
    name: 'mrcb',
    scheme: null,
    K,
    L,
    decide(state: BudgetedStats, _ctx: BudgetedContext, rng: Rng, out: Int32Array): void {
      const t = state.rounds + 1;
      if (t <= init) {
        cyclicArmsInto(t, K, L, out);
        return;
      }
      const lnT = Math.log(t - 1);
      for (let i = 0; i < K; i++) {
        const n = state.pulls[i]!;
        if (n === 0) {
          a[i] = 1;
          b[i] = 0;
          continue;
        }
        const e = Math.sqrt((kappa * lnT) / n);
        const u = Math.min(state.sumReward[i]! / n + e, 1);
        a[i] = Math.max(u, MIN_NUMERATOR);
        const l = state.sumCost[i]! / n - e;
        b[i] = Math.max(l, 0);
      }
      ilfpOracleInto(K, a, b, L, out, ws, zcCode, tb === 'random', rng);
    },
    learnInto(target, _ctx, arms, rewards, costs): void {
      addObservations(target, arms, rewards, costs, L);
    },
  };
}
