/**
 * The 0-1 integer linear fractional programming oracle O(a, b, L) of Xia et al. (IJCAI 2016), Algorithm 2:
 * `argmax_{|I| = L} sum_{i in I} a_i / sum_{i in I} b_i`, solved exactly by Dinkelbach's (Newton's) parametric
 * method over top-L selections instead of the paper's interior-point LP.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInteger, assertOneOf, toFiniteArray } from '../../core/validate.js';
import { sortSmallInt, topLInto } from './select.js';

/** How to pick L arms when at least L arms have zero cost (every such set has ratio +Infinity). */
export type ZeroCostTieBreak = 'random' | 'maxReward';
/** How to complete the optimal set among arms tied at the optimum (all completions are optimal). */
export type OracleTieBreak = 'index' | 'random';

/** Options of the oracle. */
export interface IlfpOptions {
  /**
   * Boundary case |Z0| >= L (Algorithm 2, step 2): `'random'` returns L uniformly random zero-cost arms (the paper;
   * needs `rng`), `'maxReward'` the L zero-cost arms with the largest a (ties: lower index). Default `'random'` when
   * an `rng` is given, else `'maxReward'`.
   */
  readonly zeroCostTieBreak?: ZeroCostTieBreak;
  /**
   * Ties at the optimum: `'index'` (default) prefers larger a_i then the lower index; `'random'` completes the set
   * uniformly at random among the tied arms (needs `rng`).
   */
  readonly tieBreak?: OracleTieBreak;
  /** Generator for the random tie-breaks. */
  readonly rng?: Rng;
}

/** The oracle's answer. */
export interface IlfpSolution {
  /** The L chosen arms, 0-based, ascending. */
  readonly arms: number[];
  /** sum a / sum b over `arms` (+Infinity when every chosen arm has b = 0). */
  readonly ratio: number;
  /** Dinkelbach iterations used (0 for the boundary cases). */
  readonly iterations: number;
}

/** Preallocated buffers for {@link ilfpOracleInto}; create once per K, reuse every round. */
export interface IlfpWorkspace {
  readonly K: number;
  /** Keys a_i - lambda b_i (or ratios), length K. */
  readonly keys: Float64Array;
  /** Current and candidate top-L sets, length K each. */
  readonly cur: Int32Array;
  readonly next: Int32Array;
  /** Scratch index list, length K. */
  readonly idx: Int32Array;
  /** Dinkelbach iterations of the last call. */
  iterations: number;
}

/** Allocates a workspace for instances with K arms. */
export function createIlfpWorkspace(K: number): IlfpWorkspace {
  assertInteger('K', K, 1);
  return {
    K,
    keys: new Float64Array(K),
    cur: new Int32Array(K),
    next: new Int32Array(K),
    idx: new Int32Array(K),
    iterations: 0,
  };
}

/** Codes for the kernel's options (numbers, so the hot path passes no objects). */
export const ZERO_COST_RANDOM = 0;
/** See {@link ZERO_COST_RANDOM}. */
export const ZERO_COST_MAX_REWARD = 1;

function sumOver(x: Float64Array, set: Int32Array, L: number): number {
  let s = 0;
  for (let k = 0; k < L; k++) s += x[set[k]!]!;
  return s;
}

/** Uniform random L-subset of idx[0..n) into out (partial Fisher-Yates on idx). */
function randomSubset(idx: Int32Array, n: number, L: number, out: Int32Array, rng: Rng): void {
  for (let k = 0; k < L; k++) {
    const j = k + rng.int(n - k);
    const t = idx[k]!;
    idx[k] = idx[j]!;
    idx[j] = t;
    out[k] = idx[k]!;
  }
}

/**
 * Re-draws the optimal set among tied arms: arms whose key a_i - lambda b_i is strictly above the L-th largest key
 * tau are kept, the rest is a uniform random choice among the arms with key equal to tau (relative tolerance 1e-12).
 */
function randomizeTies(
  K: number,
  a: Float64Array,
  b: Float64Array,
  L: number,
  lambda: number,
  ws: IlfpWorkspace,
  out: Int32Array,
  rng: Rng,
): void {
  const keys = ws.keys;
  let tau = Infinity;
  for (let k = 0; k < L; k++) {
    const i = out[k]!;
    const v = a[i]! - lambda * b[i]!;
    if (v < tau) tau = v;
  }
  for (let i = 0; i < K; i++) keys[i] = a[i]! - lambda * b[i]!;
  const tol = 1e-12 * Math.max(1, Math.abs(tau), Math.abs(lambda));
  let nIn = 0;
  let nTied = 0;
  const idx = ws.idx;
  for (let i = 0; i < K; i++) {
    const v = keys[i]!;
    if (v > tau + tol) out[nIn++] = i;
    else if (v >= tau - tol) idx[nTied++] = i;
  }
  const need = L - nIn;
  for (let k = 0; k < need; k++) {
    const j = k + rng.int(nTied - k);
    const t = idx[k]!;
    idx[k] = idx[j]!;
    idx[j] = t;
    out[nIn + k] = idx[k]!;
  }
}

/**
 * Kernel of the 0-1 ILFP oracle: writes the optimal L arms (ascending) into `out` and returns their ratio.
 *
 * @remarks
 * Solves Eq. (3) of Xia et al. 2016, `max_{|I| = L} A(I)/B(I)` with `A(I) = sum_{i in I} a_i`, `B(I) = sum b_i`.
 * Boundary cases (Algorithm 2, step 2): with `Z0 = {i : b_i = 0}` and `|Z0| >= L` the answer is L arms of Z0 (ratio
 * +Infinity); `L = K` takes every arm; `L = 1` is `argmax a_i / b_i`. Otherwise Dinkelbach's method: with
 * `F(lambda) = max_{|I|=L} sum_{i in I} (a_i - lambda b_i)` (the sum of the L largest keys), start from the top-L
 * arms by ratio a_i/b_i, then repeat `J = topL(a - lambda b)`, `lambda' = A(J)/B(J)` while lambda strictly increases.
 * F is convex, decreasing and vanishes exactly at the optimal ratio, so the loop stops at an optimal set; each step
 * is O(K log L) (heap selection), and in practice 2-4 steps suffice.
 *
 * Preconditions (checked by {@link solveIlfp}, trusted here): `a_i > 0` finite, `b_i >= 0` finite, `1 <= L <= K`,
 * `rng` non-null when a random option is used.
 *
 * References: Xia, Qin, Ma, Yu, Liu, "Budgeted Multi-Armed Bandits with Multiple Plays", IJCAI 2016, Algorithm 2;
 * W. Dinkelbach, "On nonlinear fractional programming", Management Science 13(7), 1967, doi:10.1287/mnsc.13.7.492;
 * T. Radzik, "Newton's method for fractional combinatorial optimization", FOCS 1992, doi:10.1109/SFCS.1992.267775.
 *
 * @param K - number of arms.
 * @param a - numerators, length >= K, each > 0.
 * @param b - denominators, length >= K, each >= 0.
 * @param L - set size, 1 <= L <= K.
 * @param out - length >= L; receives the chosen arms in ascending order.
 * @param ws - workspace from {@link createIlfpWorkspace} with ws.K >= K.
 * @param zeroCost - {@link ZERO_COST_RANDOM} or {@link ZERO_COST_MAX_REWARD}.
 * @param randomTies - complete optimal ties at random (needs rng).
 * @param rng - generator for the random options, else null.
 * @returns the ratio of the chosen set (+Infinity in the |Z0| >= L case).
 */
export function ilfpOracleInto(
  K: number,
  a: Float64Array,
  b: Float64Array,
  L: number,
  out: Int32Array,
  ws: IlfpWorkspace,
  zeroCost: number,
  randomTies: boolean,
  rng: Rng | null,
): number {
  ws.iterations = 0;
  const keys = ws.keys;
  let nz = 0;
  for (let i = 0; i < K; i++) if (b[i] === 0) ws.idx[nz++] = i;
  if (nz >= L) {
    if (zeroCost === ZERO_COST_RANDOM && rng !== null) {
      randomSubset(ws.idx, nz, L, out, rng);
    } else {
      for (let i = 0; i < K; i++) keys[i] = b[i] === 0 ? a[i]! : -Infinity;
      topLInto(K, keys, null, L, out);
    }
    sortSmallInt(out, L);
    return Infinity;
  }
  if (L === K) {
    for (let i = 0; i < K; i++) out[i] = i;
    return sumOver(a, out, L) / sumOver(b, out, L);
  }
  // Warm start (and the whole answer when L = 1): top-L by ratio, zero cost = +Infinity, ties by lower index.
  for (let i = 0; i < K; i++) keys[i] = b[i] === 0 ? Infinity : a[i]! / b[i]!;
  let cur = ws.cur;
  let next = ws.next;
  topLInto(K, keys, null, L, cur);
  let lambda = sumOver(a, cur, L) / sumOver(b, cur, L);
  if (L > 1) {
    const guard = K * K + 2;
    for (let it = 0; it < guard; it++) {
      ws.iterations++;
      for (let i = 0; i < K; i++) keys[i] = a[i]! - lambda * b[i]!;
      topLInto(K, keys, a, L, next);
      const lam2 = sumOver(a, next, L) / sumOver(b, next, L);
      if (!(lam2 > lambda)) break;
      const t = cur;
      cur = next;
      next = t;
      lambda = lam2;
    }
  }
  for (let k = 0; k < L; k++) out[k] = cur[k]!;
  if (randomTies && rng !== null) randomizeTies(K, a, b, L, lambda, ws, out, rng);
  sortSmallInt(out, L);
  return lambda;
}

/**
 * Solves the 0-1 ILFP `max_{|I| = L} sum_{i in I} a_i / sum_{i in I} b_i` exactly (Algorithm 2 of Xia et al. 2016,
 * with Dinkelbach's method in place of the interior-point LP).
 *
 * @remarks
 * Eq. (3) of the paper. See {@link ilfpOracleInto} for the method and the boundary cases. O(K log L) per Dinkelbach
 * step, a few steps in practice; the LP relaxation of the paper is exact for the same reason the top-L selection is
 * (the hypersimplex's vertices are the 0-1 vectors with L ones).
 *
 * References: Xia et al., "Budgeted Multi-Armed Bandits with Multiple Plays", IJCAI 2016; Dinkelbach 1967,
 * doi:10.1287/mnsc.13.7.492.
 *
 * @param a - numerators, K finite values, each > 0.
 * @param b - denominators, K finite values, each >= 0.
 * @param L - integer, 1 <= L <= K.
 * @param options - tie-break rules and an optional generator.
 * @returns the chosen arms (0-based, ascending), their ratio and the number of Dinkelbach steps.
 * @throws ALLOT_SHAPE_MISMATCH when a and b differ in length or are empty; ALLOT_NOT_FINITE for a non-finite
 *   entry; ALLOT_OUT_OF_RANGE for a_i <= 0, b_i < 0 or L outside [1, K]; ALLOT_INVALID_ARGUMENT for a
 *   non-integer L or a random option without rng; ALLOT_UNKNOWN_OPTION for an unknown tie-break name.
 * @example
 * ```ts
 * solveIlfp([0.3, 0.9, 0.5], [0.2, 0.7, 0.1], 2); // { arms: [0, 2], ratio: 2.6666666666666665, ... }
 * ```
 */
export function solveIlfp(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  L: number,
  options: IlfpOptions = {},
): IlfpSolution {
  const av = toFiniteArray('a', a, 1);
  const bv = toFiniteArray('b', b, 1);
  if (av.length !== bv.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `a and b must have the same length (got ${av.length} and ${bv.length})`,
    );
  }
  const K = av.length;
  for (let i = 0; i < K; i++) {
    if (!(av[i]! > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `a[${i}] must be > 0 (got ${av[i]})`);
    if (!(bv[i]! >= 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `b[${i}] must be >= 0 (got ${bv[i]})`);
  }
  assertInteger('L', L);
  if (L < 1 || L > K) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `L must be in [1, K] = [1, ${K}] (got ${L})`);
  }
  const rng = options.rng ?? null;
  const zc = assertOneOf('zeroCostTieBreak', options.zeroCostTieBreak ?? (rng ? 'random' : 'maxReward'), [
    'random',
    'maxReward',
  ] as const);
  const tb = assertOneOf('tieBreak', options.tieBreak ?? 'index', ['index', 'random'] as const);
  if ((zc === 'random' || tb === 'random') && rng === null) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'options.rng is required for a random tie-break');
  }
  const ws = createIlfpWorkspace(K);
  const out = new Int32Array(L);
  const ratio = ilfpOracleInto(
    K,
    av,
    bv,
    L,
    out,
    ws,
    zc === 'random' ? ZERO_COST_RANDOM : ZERO_COST_MAX_REWARD,
    tb === 'random',
    rng,
  );
  return { arms: Array.from(out), ratio, iterations: ws.iterations };
}

/**
 * Brute-force reference for the oracle: enumerates all C(K, L) subsets (for tests; K <= ~20).
 *
 * @param a - numerators (> 0), length K.
 * @param b - denominators (>= 0), length K.
 * @param L - 1 <= L <= K.
 * @returns the first subset in lexicographic order with the largest ratio, and that ratio (+Infinity when some
 *   subset has zero total cost).
 */
export function bruteForceIlfp(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  L: number,
): { arms: number[]; ratio: number } {
  const K = a.length;
  const cur: number[] = [];
  let best: number[] = [];
  let bestRatio = -Infinity;
  const rec = (start: number, sa: number, sb: number): void => {
    if (cur.length === L) {
      const r = sb === 0 ? Infinity : sa / sb;
      if (r > bestRatio) {
        bestRatio = r;
        best = cur.slice();
      }
      return;
    }
    for (let i = start; i <= K - (L - cur.length); i++) {
      cur.push(i);
      rec(i + 1, sa + a[i]!, sb + b[i]!);
      cur.pop();
    }
  };
  rec(0, 0, 0);
  return { arms: best, ratio: bestRatio };
}

/**
 * Scheme T of Xia et al. 2016, Section 6: the L arms with the largest per-arm index (ties: lower index), ascending.
 *
 * @param K - number of arms.
 * @param index - per-arm index, length >= K (+Infinity allowed, no NaN).
 * @param L - 1 <= L <= K.
 * @param out - length >= L; receives the arms in ascending order.
 */
export function schemeTInto(K: number, index: Float64Array, L: number, out: Int32Array): void {
  topLInto(K, index, null, L, out);
  sortSmallInt(out, L);
}
