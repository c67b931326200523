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
import { createIndexBounds, type IndexBounds, moveWindow } from './top1.js';

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
  const single = L === 1 && tb === 'index';
  const bounds = createIndexBounds(K);
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
      if (single) {
        out[0] = mrcbTop1(state, K, kappa, lnT, t, bounds, zcCode, rng);
        return;
      }
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

/**
 * MRCB's index a_i / b_i of Eq. (4)-(6) at ln t = `lnT`, computed as `decide` computes a_i and b_i for the oracle
 * (the same operations in the same order, so the same double); -1 for a zero-cost arm (b_i = 0, never pulled
 * included), whose index the oracle takes as +Infinity.
 */
function mrcbIndex(n: number, sr: number, sc: number, kappa: number, lnT: number): number {
  if (n === 0) return -1;
  const e = Math.sqrt((kappa * lnT) / n);
  const a = Math.max(Math.min(sr / n + e, 1), MIN_NUMERATOR);
  const b = Math.max(sc / n - e, 0);
  return b === 0 ? -1 : a / b;
}

/**
 * The oracle's answer at L = 1 (index tie-break) without computing every arm's index: the arm of largest
 * a_i / b_i, ties to the lower index, or among the zero-cost arms (b_i = 0) the oracle's zero-cost rule (random:
 * `rng.int(count)` over them in ascending order, as `ilfpOracleInto` draws; maxReward: the largest a_i, then the
 * lower index). Arms are skipped by their bound over the window (see top1.ts): a_i is nondecreasing and b_i
 * nonincreasing in ln t, operation by operation, so the index at the window's end bounds it, and a zero-cost arm
 * has the bound +Infinity (b_i = 0 now gives b_i = 0 at the window's end).
 */
function mrcbTop1(
  state: BudgetedStats,
  K: number,
  kappa: number,
  lnT: number,
  t: number,
  bounds: IndexBounds,
  zcCode: number,
  rng: Rng,
): number {
  moveWindow(bounds, lnT, t, 1);
  const lnHi = bounds.lnHi;
  const { pulls, sumReward, sumCost } = state;
  const { ub, n: bn, sr: bsr, sc: bsc, idx } = bounds;
  let best = bounds.prev < K ? bounds.prev : 0;
  let bestKey = mrcbIndex(pulls[best]!, sumReward[best]!, sumCost[best]!, kappa, lnT);
  if (bestKey < 0) bestKey = Infinity;
  let nz = 0;
  for (let i = 0; i < K; i++) {
    const n = pulls[i]!;
    const sr = sumReward[i]!;
    const sc = sumCost[i]!;
    if (bn[i] !== n || bsr[i] !== sr || bsc[i] !== sc) {
      const hi = mrcbIndex(n, sr, sc, kappa, lnHi);
      ub[i] = hi < 0 ? Infinity : hi;
      bn[i] = n;
      bsr[i] = sr;
      bsc[i] = sc;
    }
    if (ub[i]! < bestKey) continue;
    const key = mrcbIndex(n, sr, sc, kappa, lnT);
    if (key < 0) idx[nz++] = i;
    else if (key > bestKey || (key === bestKey && i < best)) {
      best = i;
      bestKey = key;
    }
  }
  if (nz > 0) best = zeroCostChoice(state, kappa, lnT, idx, nz, zcCode, rng);
  bounds.prev = best;
  return best;
}

/**
 * The oracle's choice among the zero-cost arms idx[0..nz) (ascending) at L = 1, as `ilfpOracleInto` makes it:
 * random, `rng.int(nz)` (the draw of its random subset); maxReward, the largest a_i, then the lower index.
 */
function zeroCostChoice(
  state: BudgetedStats,
  kappa: number,
  lnT: number,
  idx: Int32Array,
  nz: number,
  zcCode: number,
  rng: Rng | null,
): number {
  if (zcCode === ZERO_COST_RANDOM && rng !== null) return idx[rng.int(nz)]!;
  let best = idx[0]!;
  let bestA = -Infinity;
  for (let k = 0; k < nz; k++) {
    const i = idx[k]!;
    const n = state.pulls[i]!;
    const e = n === 0 ? 0 : Math.sqrt((kappa * lnT) / n);
    const a = n === 0 ? 1 : Math.max(Math.min(state.sumReward[i]! / n + e, 1), MIN_NUMERATOR);
    if (a > bestA) {
      best = i;
      bestA = a;
    }
  }
  return best;
}
