/**
 * Per-position sufficient statistics of the PBM regression: V^ℓ = Σ A^ℓ A^ℓ^T and b^ℓ = Σ Z^ℓ A^ℓ over the items
 * shown at position ℓ (unit scale), from which the Prop. 1 regression for ANY bias vector q is exact and cheap.
 *
 * @remarks
 * Eq. 1 of Ermis et al. (2020): θ̂ = (λI + Σ_ℓ q_ℓ² V^ℓ)^{-1} Σ_ℓ q_ℓ b^ℓ. Keeping V^ℓ and b^ℓ separately (instead of
 * only V = λI + Σ q̂_ℓ² V^ℓ with the q̂ of the moment) lets a ranker whose q̂ is estimated online rebuild V and b with
 * the current q̂ in O(L d²) (plus the O(d³) refactorisation of its cache), so an early wrong q̂ does not stay in the
 * statistics for ever. The per-position statistics are plain {@link LinearStats} (scale 1), so they stay additive:
 * two replicas merge position by position, in any order.
 *
 * References: B. Ermis, P. Ernst, Y. Stein, G. Zappella, "Learning to Rank in the Position Based Model with Bandit
 * Feedback", CIKM 2020, arXiv:2004.13106 (Prop. 1, Eq. 1).
 */
import { AllotError } from '../../core/errors.js';
import { assertFinite } from '../../core/validate.js';
import { createLinearStats, type LinearStats, mergeLinearStats } from '../linear/linear-stats.js';

/**
 * Empty per-position statistics: L zeroed {@link LinearStats} of dimension d.
 *
 * @param positions - L >= 1.
 * @param d - feature dimension.
 * @returns L statistics.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad sizes.
 */
export function createPositionStats(positions: number, d: number): LinearStats[] {
  if (!(Number.isInteger(positions) && positions >= 1 && positions <= 1000)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `positions must be an integer in [1, 1000] (got ${positions})`,
    );
  }
  const out: LinearStats[] = [];
  for (let l = 0; l < positions; l++) out.push(createLinearStats(d));
  return out;
}

/**
 * Position-by-position sum of two per-position statistics (associative and commutative).
 *
 * @throws ALLOT_SHAPE_MISMATCH when the numbers of positions or the dimensions differ.
 */
export function mergePositionStats(a: readonly LinearStats[], b: readonly LinearStats[]): LinearStats[] {
  if (a.length !== b.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `cannot merge statistics of ${a.length} and ${b.length} positions`,
    );
  }
  return a.map((s, l) => mergeLinearStats(s, b[l]!));
}

/**
 * The regression statistics for a bias vector q: G = Σ_ℓ q_ℓ² V^ℓ, b = Σ_ℓ q_ℓ b^ℓ, η = Σ_ℓ η^ℓ, n = Σ_ℓ n^ℓ
 * (Eq. 1 without the prior λI, which the bandit adds). O(L d²), no allocation when `out` is given.
 *
 * @param stats - per-position statistics (scale 1).
 * @param q - the bias vector (length L, finite).
 * @param out - receives the combination (default: new statistics); overwritten.
 * @returns `out`.
 * @throws ALLOT_SHAPE_MISMATCH when q or `out` do not match; ALLOT_NOT_FINITE for a non-finite q.
 * @example
 * ```ts
 * const s = createPositionStats(2, 1);
 * s[0]!.b[0] = 1; s[1]!.b[0] = 1;
 * combinePositionStats(s, [1, 0.5]).b[0]; // 1.5
 * ```
 */
export function combinePositionStats(
  stats: readonly LinearStats[],
  q: ArrayLike<number>,
  out?: LinearStats,
): LinearStats {
  const L = stats.length;
  if (L === 0 || q.length !== L) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `q must have one entry per position (${L}) (got ${q.length})`,
    );
  }
  const d = stats[0]!.d;
  for (let l = 0; l < L; l++) {
    if (stats[l]!.d !== d) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `position ${l + 1} has dimension ${stats[l]!.d}, not ${d}`,
      );
    }
    assertFinite(`q[${l}]`, q[l]);
  }
  const res = out ?? createLinearStats(d);
  if (res.d !== d) throw new AllotError('ALLOT_SHAPE_MISMATCH', `out has dimension ${res.d}, not ${d}`);
  combineUnchecked(stats, q, res);
  return res;
}

/** {@link combinePositionStats} without validation (hot path). */
export function combineUnchecked(
  stats: readonly LinearStats[],
  q: ArrayLike<number>,
  out: LinearStats,
): void {
  const g = out.gram;
  const b = out.b;
  g.fill(0);
  b.fill(0);
  let yy = 0;
  let n = 0;
  for (let l = 0; l < stats.length; l++) {
    const s = stats[l]!;
    const w = q[l]!;
    const w2 = w * w;
    const sg = s.gram;
    // the lower triangle of a LinearStats gram is 0, so the whole array can be added
    for (let i = 0; i < g.length; i++) g[i]! += w2 * sg[i]!;
    const sb = s.b;
    for (let i = 0; i < b.length; i++) b[i]! += w * sb[i]!;
    yy += s.yy;
    n += s.n;
  }
  out.yy = yy;
  out.n = n;
}
