/**
 * Shared pieces of the single-play (L = 1) fast paths of MRCB and KUBE: a window of rounds over which each arm's
 * index is bounded from above by its value at the window's end, so that most arms are skipped without computing
 * their index, with the same answer as computing every index.
 *
 * @remarks
 * Each of these indices is a function `f(s, lnT)` of an arm's statistics s and of ln t, built from floating-point
 * operations that are each monotone in their argument (IEEE 754 rounding is monotone): products and quotients by
 * positive numbers, sums, sqrt, min, max. So for the same s, `lnT <= lnHi` gives `f(s, lnT) <= f(s, lnHi)` for the
 * computed doubles, not only for the exact reals. The window is checked on the doubles themselves (`lnT <= lnHi`,
 * both from `Math.log`), so nothing depends on the monotonicity of `Math.log`. An arm whose bound `f(s, lnHi)` is
 * below the best index found so far can neither win nor tie, and is skipped. The bound of an arm is recomputed when
 * its statistics (pulls, reward and cost sums) differ from those it was computed from, and all bounds when ln t
 * leaves the window: the cache is checked against the state passed, so any state may be passed, in any order (the
 * serve code passes stored states).
 */

/** Bounds of one policy's arms over a window of rounds; see the module remarks. */
export interface IndexBounds {
  /** Upper bound of each arm's index while `lnT <= lnHi` (+Infinity: always compute the index). */
  readonly ub: Float64Array;
  /** The pulls, reward sum and cost sum each bound was computed from (pulls -1: no bound yet). */
  readonly n: Float64Array;
  readonly sr: Float64Array;
  readonly sc: Float64Array;
  /** The window's upper end of ln t (-Infinity before the first window). */
  lnHi: number;
  /** Scratch list of arms (zero-cost arms, ascending). */
  readonly idx: Int32Array;
  /** The last answer (where the next search starts). */
  prev: number;
}

/** Empty bounds for K arms. */
export function createIndexBounds(K: number): IndexBounds {
  return {
    ub: new Float64Array(K),
    n: new Float64Array(K).fill(-1),
    sr: new Float64Array(K),
    sc: new Float64Array(K),
    lnHi: -Infinity,
    idx: new Int32Array(K),
    prev: 0,
  };
}

/**
 * Moves the window when `lnT` is past its end: the new window ends at round `t + max(64, t / 16)` (ln t grows by
 * about 6 % of a unit or less per window), and every arm's bound is marked stale.
 *
 * @param bounds - the bounds.
 * @param lnT - this round's ln t, `Math.log(t - off)`.
 * @param t - the round index.
 * @param off - 0 or 1, as in lnT.
 */
export function moveWindow(bounds: IndexBounds, lnT: number, t: number, off: number): void {
  if (lnT <= bounds.lnHi) return;
  bounds.lnHi = Math.max(Math.log(t + Math.max(64, Math.floor(t / 16)) - off), lnT);
  bounds.n.fill(-1);
}
