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
import { createIndexBounds, type IndexBounds, moveWindow } from './top1.js';

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
  const bounds = createIndexBounds(K);
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
      if (L === 1) {
        out[0] = kubeTop1(state, K, scheme === 'T', lnT, t, bounds, zcCode, rng);
        return;
      }
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

/**
 * KUBE's index at ln t = `lnT`, computed as `decide` computes it for Scheme T (u_i / c_i, +Infinity when c_i = 0)
 * or for the oracle under Scheme R (max(u_i, 1e-12) / c_i; -1 for a zero-cost arm, c_i = 0), the same operations
 * in the same order, so the same double.
 */
function kubeIndex(n: number, sr: number, sc: number, schemeT: boolean, lnT: number): number {
  let u = 1;
  let c = 0;
  if (n > 0) {
    u = sr / n + Math.sqrt((2 * lnT) / n);
    c = sc / n;
  }
  if (schemeT) return c > 0 ? u / c : Infinity;
  return c === 0 ? -1 : Math.max(u, MIN_NUMERATOR) / c;
}

/**
 * The answer at L = 1 without computing every arm's index: Scheme T's top-1 (`schemeTInto`: largest index, ties
 * to the lower index, +Infinity included) or the oracle's (the largest a_i / b_i, ties to the lower index, or its
 * zero-cost rule when some c_i = 0: random, `rng.int(count)` over those arms in ascending order, as
 * `ilfpOracleInto` draws; maxReward, the largest a_i, then the lower index). Arms are skipped by their bound over
 * the window (see top1.ts): u_i is nondecreasing in ln t, operation by operation, and c_i does not depend on it.
 */
function kubeTop1(
  state: BudgetedStats,
  K: number,
  schemeT: boolean,
  lnT: number,
  t: number,
  bounds: IndexBounds,
  zcCode: number,
  rng: Rng,
): number {
  moveWindow(bounds, lnT, t, 0);
  const lnHi = bounds.lnHi;
  const { pulls, sumReward, sumCost } = state;
  const { ub, n: bn, sr: bsr, sc: bsc, idx } = bounds;
  let best = bounds.prev < K ? bounds.prev : 0;
  let bestKey = kubeIndex(pulls[best]!, sumReward[best]!, sumCost[best]!, schemeT, lnT);
  if (bestKey < 0) bestKey = Infinity;
  let nz = 0;
  for (let i = 0; i < K; i++) {
    const n = pulls[i]!;
    const sr = sumReward[i]!;
    const sc = sumCost[i]!;
    if (bn[i] !== n || bsr[i] !== sr || bsc[i] !== sc) {
      const hi = kubeIndex(n, sr, sc, schemeT, lnHi);
      ub[i] = hi < 0 ? Infinity : hi;
      bn[i] = n;
      bsr[i] = sr;
      bsc[i] = sc;
    }
    if (ub[i]! < bestKey) continue;
    const key = kubeIndex(n, sr, sc, schemeT, lnT);
    if (key < 0) idx[nz++] = i;
    else if (key > bestKey || (key === bestKey && i < best)) {
      best = i;
      bestKey = key;
    }
  }
  if (nz > 0) {
    if (zcCode === ZERO_COST_RANDOM && rng !== null) best = idx[rng.int(nz)]!;
    else {
      let bestA = -Infinity;
      for (let k = 0; k < nz; k++) {
        const i = idx[k]!;
        const n = pulls[i]!;
        const a = n > 0 ? Math.max(sumReward[i]! / n + Math.sqrt((2 * lnT) / n), MIN_NUMERATOR) : 1;
        if (a > bestA) {
          best = i;
          bestA = a;
        }
      }
    }
  }
  bounds.prev = best;
  return best;
}
