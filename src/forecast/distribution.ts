/**
 * A full distribution from a finite set of predictive quantiles, faithful to the defaults of the R package
 * distfromq 1.0.4 (`make_p_fn` / `make_q_fn`): point masses from repeated quantiles, a monotone cubic Hermite spline
 * on the CDF scale refined on a 20-point grid with linear interpolation between, and normal (or lognormal) tails
 * fitted through the two most extreme continuous pairs on each side.
 *
 * The result is stored as one table of knots (q, p) on the original probability scale: vertical knot pairs are point
 * masses, horizontal pairs flat CDF stretches, and the CDF and quantile function are linear between knots. Input
 * pairs are knots themselves, so every input quantile is reproduced bit for bit.
 */
import { normalCdf, normalPdf, normalQuantile } from '../core/dist.js';
import { AllotError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { show } from '../core/validate.js';

/** Tail family of the extrapolation beyond the outermost continuous quantiles (distfromq `tail_dist`). */
export type TailFamily = 'normal' | 'lognormal';

/** Options of {@link createQuantileDistribution} (distfromq's defaults). */
export interface QuantileDistributionOptions {
  /** Tail family, `'normal'` (default, as in the paper) or `'lognormal'` (hurdle at 0, needs values >= 0). */
  readonly tail?: TailFamily;
  /** Absolute tolerance under which consecutive sorted quantiles form one point mass (default 1e-6). */
  readonly dupTol?: number;
  /** With lognormal tails, |q| <= zeroTol is a point mass at 0 (default 1e-12). */
  readonly zeroTol?: number;
  /** Interior grid points inserted between consecutive continuous quantiles (default 20). */
  readonly nGrid?: number;
}

/** One point mass of the discrete part. */
export interface PointMass {
  /** Location of the mass (mean of the run of repeated quantiles). */
  readonly at: number;
  /** Probability of the mass (on the mixture scale, in (0, 1]). */
  readonly mass: number;
  /** The CDF just below `at` (the mass occupies levels [lower, lower + mass]). */
  readonly lower: number;
}

/**
 * A distribution reconstructed from quantiles (plain data plus the three functions built once).
 *
 * The knot table `knotQ`, `knotP` is non-decreasing in both columns; the CDF is right-continuous and the quantile
 * function left-continuous (`Q(p) = inf{x : F(x) >= p}`).
 */
export interface QuantileDistribution {
  /** Knot values (non-decreasing). */
  readonly knotQ: Float64Array;
  /** Knot CDF levels on the mixture scale (non-decreasing, in [0, 1]). */
  readonly knotP: Float64Array;
  /** Point masses (sorted by location). */
  readonly masses: readonly PointMass[];
  /** Total point-mass probability w (distfromq `disc_weight`). */
  readonly discreteWeight: number;
  /** Lower tail location/scale (NaN when there is no lower tail, i.e. the smallest knot level is 0). */
  readonly lowerTail: { readonly location: number; readonly scale: number };
  /** Upper tail location/scale (NaN when there is no upper tail, i.e. the largest knot level is 1). */
  readonly upperTail: { readonly location: number; readonly scale: number };
  /** Tail family. */
  readonly tail: TailFamily;
  /** The cleaned, sorted input probability levels (each is reproduced exactly by `quantile`). */
  readonly levels: Float64Array;
  /** The cleaned, sorted input quantiles aligned with `levels` (point-mass runs replaced by their mean). */
  readonly values: Float64Array;
  /** Cumulative distribution function F(x) = P(X <= x), right-continuous, in [0, 1]. */
  cdf(x: number): number;
  /** Quantile function Q(p) = inf{x : F(x) >= p} for p in [0, 1] (may be -Infinity at 0 or +Infinity at 1). */
  quantile(p: number): number;
  /** Q(1 − u) computed in the upper tail without forming 1 − u (accurate for u down to the smallest double). */
  upperQuantile(u: number): number;
  /** Q(1 − e^logU) for log upper-tail probabilities below the smallest double (logU < −690) too. */
  upperQuantileLog(logU: number): number;
  /** Q(e^logP) for log levels below the smallest double too (the lower tail). */
  lowerQuantileLog(logP: number): number;
  /** `n` independent draws by inversion, using `rng.uniform()`. */
  sample(rng: Rng, n: number): Float64Array;
}

interface Tail {
  a: number;
  b: number;
}

function tailFit(q1: number, p1: number, q2: number, p2: number, family: TailFamily): Tail {
  const z1 = normalQuantile(p1);
  const z2 = normalQuantile(p2);
  if (family === 'lognormal') {
    const l1 = Math.log(q1);
    const l2 = Math.log(q2);
    const b = (l2 - l1) / (z2 - z1);
    return { a: l1 - b * z1, b };
  }
  const b = (q2 - q1) / (z2 - z1);
  return { a: q1 - b * z1, b };
}

function tailOk(t: Tail): boolean {
  return Number.isFinite(t.a) && Number.isFinite(t.b) && t.b > 0;
}

function tailDensity(t: Tail, x: number, family: TailFamily): number {
  if (!tailOk(t)) return Number.NaN;
  if (family === 'lognormal') {
    if (!(x > 0)) return Number.NaN;
    return normalPdf(Math.log(x), t.a, t.b) / x;
  }
  return normalPdf(x, t.a, t.b);
}

function tailCdf(t: Tail, x: number, family: TailFamily): number {
  if (family === 'lognormal') return x <= 0 ? 0 : normalCdf(Math.log(x), t.a, t.b);
  return normalCdf(x, t.a, t.b);
}

function tailQuantile(t: Tail, p: number, family: TailFamily): number {
  if (t.b === 0) return family === 'lognormal' ? Math.exp(t.a) : t.a;
  const z = p < 0.5 ? stdNormalQuantile(p) : -stdNormalQuantile(1 - p);
  return family === 'lognormal' ? Math.exp(t.a + t.b * z) : t.a + t.b * z;
}

function ascending(a: number, b: number): number {
  return a - b;
}

function isSorted(x: readonly number[]): boolean {
  for (let i = 1; i < x.length; i++) if (x[i]! < x[i - 1]!) return false;
  return true;
}

/** Mean of a run of nearly equal values, exact when they are all equal. */
function runMean(qs: readonly number[], from: number, to: number): number {
  const base = qs[from]!;
  let s = 0;
  for (let i = from; i <= to; i++) s += qs[i]! - base;
  return base + s / (to - from + 1);
}

/**
 * Builds the distfromq distribution of a set of predictive quantiles.
 *
 * @remarks
 * Steps (distfromq 1.0.4 defaults, supplement section 6): drop pairs with a NaN; sort levels and values
 * independently (crossing quantiles are repaired by sorting, as distfromq does); runs of consecutive values closer
 * than `dupTol` become point masses at the run mean with mass max p − min p (a run at the lowest value extends to
 * level 0, at the highest to level 1); one distinct value gives a point mass of weight 1, two distinct values with a
 * repeat give two point masses. The continuous part keeps one pair per distinct value, its levels reduced by the
 * masses below and divided by 1 − w; its interior CDF is the monotone cubic Hermite spline with tail-density end
 * slopes, mean-secant interior slopes and the in-place Fritsch–Carlson pass, evaluated on `nGrid` points per
 * interval and linearly interpolated; tails are N(a, b²) (or lognormal) through the two outermost continuous pairs:
 * b = (q₂ − q₁)/(Φ⁻¹(p₂) − Φ⁻¹(p₁)), a = q₁ − bΦ⁻¹(p₁). The mixture is F = (1 − w)F_c + Σ w m_j 1{x ≥ d_j}.
 *
 * References: Gerding, Reich, Rogers, Ray (2023), Evaluating infectious disease forecasts with allocation scoring
 * rules, supplement section 6, arXiv:2312.16201; Ray and Gerding, distfromq 1.0.4,
 * https://github.com/reichlab/distfromq.
 *
 * @param ps - probability levels in (0, 1), any order, no repeats (NaN entries are dropped with their pair)
 * @param qs - the quantiles at those levels, same length (NaN entries are dropped with their pair)
 * @param opts - tail family and tolerances (distfromq defaults)
 * @returns the distribution (knot table, point masses, tails, cdf / quantile / sample)
 * @throws ALLOT_SHAPE_MISMATCH when lengths differ; ALLOT_OUT_OF_RANGE for a level outside (0, 1) or a negative
 *   value with lognormal tails; ALLOT_INVALID_ARGUMENT for a repeated level or no usable pair; ALLOT_NOT_FINITE for
 *   an infinite value.
 * @example
 * ```ts
 * const d = createQuantileDistribution([0.25, 0.5, 0.75], [1, 2, 4]);
 * d.quantile(0.5); // 2
 * d.cdf(4); // 0.75
 * ```
 */
export function createQuantileDistribution(
  ps: ArrayLike<number>,
  qs: ArrayLike<number>,
  opts: QuantileDistributionOptions = {},
): QuantileDistribution {
  if (ps.length !== qs.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `ps and qs must have the same length (got ${ps.length} and ${qs.length})`,
    );
  }
  const family: TailFamily = opts.tail ?? 'normal';
  if (family !== 'normal' && family !== 'lognormal') {
    throw new AllotError('ALLOT_UNKNOWN_OPTION', `tail must be normal or lognormal (got ${show(family)})`);
  }
  const dupTol = opts.dupTol ?? 1e-6;
  const zeroTol = opts.zeroTol ?? 1e-12;
  const nGrid = opts.nGrid ?? 20;
  if (!(dupTol >= 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `dupTol must be >= 0 (got ${dupTol})`);
  if (!Number.isInteger(nGrid) || nGrid < 0) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `nGrid must be an integer >= 0 (got ${nGrid})`);
  }
  const P: number[] = [];
  const Q: number[] = [];
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const q = qs[i]!;
    if (Number.isNaN(p) || Number.isNaN(q)) continue;
    if (!(p > 0 && p < 1)) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `ps[${i}] must be a probability in (0, 1) (got ${p})`);
    }
    if (!Number.isFinite(q)) throw new AllotError('ALLOT_NOT_FINITE', `qs[${i}] must be finite (got ${q})`);
    if (family === 'lognormal' && q < -zeroTol) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `qs[${i}] must be >= 0 with lognormal tails (got ${q})`);
    }
    P.push(p);
    Q.push(q);
  }
  if (P.length === 0) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      'ps/qs must hold at least one pair without NaN (got none)',
    );
  }
  if (!isSorted(P)) P.sort(ascending);
  if (!isSorted(Q)) Q.sort(ascending);
  for (let i = 1; i < P.length; i++) {
    if (P[i] === P[i - 1]) {
      throw new AllotError('ALLOT_INVALID_ARGUMENT', `ps must not repeat a level (got ${P[i]} twice)`);
    }
  }
  const levels = Float64Array.from(P);
  if (family === 'lognormal') {
    // Hurdle at zero: a lone (near-)zero quantile is doubled so that it becomes a point mass at 0.
    for (let i = 0; i < Q.length; i++) {
      if (Math.abs(Q[i]!) <= zeroTol) {
        Q[i] = 0;
        const runs =
          (i > 0 && Math.abs(Q[i - 1]!) <= zeroTol) || (i + 1 < Q.length && Q[i + 1]! - 0 < dupTol);
        if (!runs) {
          Q.splice(i, 0, 0);
          P.splice(i, 0, i === 0 ? 0 : 0.5 * (P[i - 1]! + P[i]!));
        }
        break;
      }
    }
  }
  // Runs of repeated values (chained by consecutive differences < dupTol).
  const n0 = Q.length;
  const runStart: number[] = [];
  const runEnd: number[] = [];
  {
    let s = 0;
    for (let i = 1; i <= n0; i++) {
      if (i === n0 || !(Q[i]! - Q[i - 1]! < dupTol)) {
        runStart.push(s);
        runEnd.push(i - 1);
        s = i;
      }
    }
  }
  const nd = runStart.length;
  const isRun = (r: number): boolean => runEnd[r]! > runStart[r]!;
  const firstIsRun = isRun(0);
  const lastIsRun = isRun(nd - 1);
  // The distinct values, their level span [lo, hi] (with the end extensions) and mean.
  const dVal: number[] = [];
  const dLo: number[] = [];
  const dHi: number[] = [];
  for (let r = 0; r < nd; r++) {
    const a = runStart[r]!;
    const b = runEnd[r]!;
    dVal.push(runMean(Q, a, b));
    dLo.push(r === 0 && firstIsRun ? 0 : P[a]!);
    dHi.push(r === nd - 1 && lastIsRun ? 1 : P[b]!);
  }
  // Values aligned with the input levels (runs replaced by their mean) for reporting.
  const values = new Float64Array(levels.length);
  {
    // Map each sorted input level to its run: the hurdle insertion (if any) shifted indices by one.
    let k = 0;
    for (let r = 0; r < nd; r++) {
      for (let i = runStart[r]!; i <= runEnd[r]!; i++) {
        if (k < levels.length && P[i] === levels[k]) values[k++] = dVal[r]!;
      }
    }
  }

  if (nd === 1 || (nd === 2 && (firstIsRun || lastIsRun))) {
    return discreteOnly(dVal, dLo, dHi, P, runStart, runEnd, firstIsRun, lastIsRun, family, levels, values);
  }

  // Mixture: point masses plus the continuous pairs.
  const masses: { at: number; mass: number; lo: number }[] = [];
  let w = 0;
  for (let r = 0; r < nd; r++) {
    if (isRun(r)) {
      const m = dHi[r]! - dLo[r]!;
      masses.push({ at: dVal[r]!, mass: m, lo: dLo[r]! });
      w += m;
    }
  }
  const oneMinusW = 1 - w;
  // Continuous pairs: value, level reduced by masses strictly below, then rescaled to [0, 1].
  const cq = new Float64Array(nd);
  const cp = new Float64Array(nd);
  const below = new Float64Array(nd); // mass strictly below each distinct value
  {
    let acc = 0;
    for (let r = 0; r < nd; r++) {
      cq[r] = dVal[r]!;
      below[r] = acc;
      const pr = (dLo[r]! - acc) / oneMinusW;
      cp[r] = pr < 0 ? 0 : pr > 1 ? 1 : pr;
      if (isRun(r)) acc += dHi[r]! - dLo[r]!;
    }
  }
  const hasLower = cp[0]! > 0;
  const hasUpper = cp[nd - 1]! < 1;
  let lower: Tail = { a: Number.NaN, b: Number.NaN };
  let upper: Tail = { a: Number.NaN, b: Number.NaN };
  if (hasLower) {
    lower = tailFit(cq[0]!, cp[0]!, cq[1]!, cp[1]!, family);
    if (!tailOk(lower)) lower = { a: family === 'lognormal' ? Math.log(cq[0]!) : cq[0]!, b: 0 };
  }
  if (hasUpper) {
    upper = tailFit(cq[nd - 2]!, cp[nd - 2]!, cq[nd - 1]!, cp[nd - 1]!, family);
    if (!tailOk(upper)) upper = { a: family === 'lognormal' ? Math.log(cq[nd - 1]!) : cq[nd - 1]!, b: 0 };
  }
  // Hermite slopes on the CDF scale.
  const m = new Float64Array(nd);
  const sec = new Float64Array(nd - 1);
  for (let k = 0; k < nd - 1; k++) sec[k] = (cp[k + 1]! - cp[k]!) / (cq[k + 1]! - cq[k]!);
  for (let k = 1; k < nd - 1; k++) m[k] = 0.5 * (sec[k - 1]! + sec[k]!);
  {
    const d0 = hasLower ? tailDensity(lower, cq[0]!, family) : Number.NaN;
    m[0] = Number.isFinite(d0) ? d0 : nd > 2 ? m[1]! : sec[0]!;
    const d1 = hasUpper ? tailDensity(upper, cq[nd - 1]!, family) : Number.NaN;
    m[nd - 1] = Number.isFinite(d1) ? d1 : nd > 2 ? m[nd - 2]! : sec[0]!;
  }
  for (let k = 0; k < nd - 1; k++) {
    if (cp[k + 1] === cp[k]) {
      m[k] = 0;
      m[k + 1] = 0;
    }
  }
  for (let k = 0; k < nd - 1; k++) {
    const d = sec[k]!;
    if (d === 0) continue;
    const a = m[k]! / d;
    const b = m[k + 1]! / d;
    const s = a * a + b * b;
    if (s > 9) {
      const t = 3 / Math.sqrt(s);
      m[k] = t * a * d;
      m[k + 1] = t * b * d;
    }
  }
  const basis = hermiteBasis(nGrid);
  // Knot table on the mixture scale (exact size: one knot per value, two per point mass, nGrid per interval).
  const nKnots = nd + masses.length + (nd - 1) * nGrid;
  const KQ = new Float64Array(nKnots);
  const KP = new Float64Array(nKnots);
  let nk = 0;
  for (let r = 0; r < nd; r++) {
    KQ[nk] = dVal[r]!;
    KP[nk++] = dLo[r]!;
    if (isRun(r)) {
      KQ[nk] = dVal[r]!;
      KP[nk++] = dHi[r]!;
    }
    if (r === nd - 1) break;
    const q0 = cq[r]!;
    const q1 = cq[r + 1]!;
    const h = q1 - q0;
    const p0 = cp[r]!;
    const p1 = cp[r + 1]!;
    const m0 = m[r]!;
    const m1 = m[r + 1]!;
    const base = below[r]! + (isRun(r) ? dHi[r]! - dLo[r]! : 0);
    const lo = isRun(r) ? dHi[r]! : dLo[r]!;
    const hi = dLo[r + 1]!;
    const by = h / (nGrid + 1);
    const hm0 = h * m0;
    const hm1 = h * m1;
    let prev = lo;
    for (let j = 1; j <= nGrid; j++) {
      const x = q0 + j * by;
      const b = 4 * (j - 1);
      const s = basis[b]! * p0 + basis[b + 1]! * hm0 + basis[b + 2]! * p1 + basis[b + 3]! * hm1;
      let pm = oneMinusW * s + base;
      if (pm < prev) pm = prev;
      if (pm > hi) pm = hi;
      prev = pm;
      KQ[nk] = x;
      KP[nk++] = pm;
    }
  }
  const knotQ = KQ;
  const knotP = KP;
  const pointMasses: PointMass[] = masses.map((x) => ({ at: x.at, mass: x.mass, lower: x.lo }));
  return assemble(
    knotQ,
    knotP,
    pointMasses,
    w,
    hasLower ? lower : null,
    hasUpper ? upper : null,
    family,
    levels,
    values,
  );
}

let basisCache: { n: number; b: Float64Array } | null = null;

/** Cubic Hermite basis (h00, h10, h01, h11) at t = j / (n + 1), j = 1..n: the same for every interval. */
function hermiteBasis(n: number): Float64Array {
  if (basisCache !== null && basisCache.n === n) return basisCache.b;
  const b = new Float64Array(4 * n);
  for (let j = 1; j <= n; j++) {
    const t = j / (n + 1);
    const t2 = t * t;
    const t3 = t2 * t;
    b[4 * (j - 1)] = 2 * t3 - 3 * t2 + 1;
    b[4 * (j - 1) + 1] = t3 - 2 * t2 + t;
    b[4 * (j - 1) + 2] = -2 * t3 + 3 * t2;
    b[4 * (j - 1) + 3] = t3 - t2;
  }
  basisCache = { n, b };
  return b;
}

function discreteOnly(
  dVal: number[],
  dLo: number[],
  dHi: number[],
  P: number[],
  runStart: number[],
  runEnd: number[],
  firstIsRun: boolean,
  lastIsRun: boolean,
  family: TailFamily,
  levels: Float64Array,
  values: Float64Array,
): QuantileDistribution {
  if (dVal.length === 1) {
    const knotQ = Float64Array.of(dVal[0]!, dVal[0]!);
    const knotP = Float64Array.of(0, 1);
    return assemble(
      knotQ,
      knotP,
      [{ at: dVal[0]!, mass: 1, lower: 0 }],
      1,
      null,
      null,
      family,
      levels,
      values,
    );
  }
  // Two distinct values, at least one repeated: two point masses with total weight 1.
  let m0: number;
  let m1: number;
  if (firstIsRun && lastIsRun) {
    m0 = dHi[0]! - dLo[0]!;
    m1 = dHi[1]! - dLo[1]!;
  } else if (firstIsRun) {
    m0 = dHi[0]! - dLo[0]!;
    m1 = 1 - P[runStart[1]!]!; // lone highest value: the tail probability above it
  } else {
    m0 = P[runEnd[0]!]!; // lone lowest value: the tail probability below it
    m1 = dHi[1]! - dLo[1]!;
  }
  const tot = m0 + m1;
  const a = m0 / tot;
  const knotQ = Float64Array.of(dVal[0]!, dVal[0]!, dVal[1]!, dVal[1]!);
  const knotP = Float64Array.of(0, a, a, 1);
  return assemble(
    knotQ,
    knotP,
    [
      { at: dVal[0]!, mass: a, lower: 0 },
      { at: dVal[1]!, mass: 1 - a, lower: a },
    ],
    1,
    null,
    null,
    family,
    levels,
    values,
  );
}

function assemble(
  knotQ: Float64Array,
  knotP: Float64Array,
  masses: readonly PointMass[],
  w: number,
  lower: Tail | null,
  upper: Tail | null,
  family: TailFamily,
  levels: Float64Array,
  values: Float64Array,
): QuantileDistribution {
  const n = knotQ.length;
  const q0 = knotQ[0]!;
  const qn = knotQ[n - 1]!;
  const p0 = knotP[0]!;
  const pn = knotP[n - 1]!;
  const cw = 1 - w;
  const lt = lower;
  const ut = upper;
  function cdf(x: number): number {
    if (Number.isNaN(x)) return Number.NaN;
    if (x < q0) return lt === null ? 0 : clamp01(cw * tailCdf(lt, x, family));
    if (x >= qn) {
      if (x === qn || ut === null) return pn;
      return clamp01(cw * tailCdf(ut, x, family) + w);
    }
    // Last knot with knotQ <= x.
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (knotQ[mid]! <= x) lo = mid;
      else hi = mid;
    }
    const xa = knotQ[lo]!;
    if (x === xa) return knotP[lo]!;
    const xb = knotQ[hi]!;
    const pa = knotP[lo]!;
    return pa + ((knotP[hi]! - pa) * (x - xa)) / (xb - xa);
  }
  function quantile(p: number): number {
    if (Number.isNaN(p)) return Number.NaN;
    if (p < p0) {
      if (lt === null) return q0;
      const pc = p / cw;
      return tailQuantile(lt, pc <= 0 ? 0 : pc, family);
    }
    if (p > pn) {
      if (ut === null) return qn;
      const pc = (p - w) / cw;
      return tailQuantile(ut, pc >= 1 ? 1 : pc, family);
    }
    // First knot with knotP >= p.
    let lo = -1;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (knotP[mid]! >= p) hi = mid;
      else lo = mid;
    }
    const pb = knotP[hi]!;
    if (pb === p || lo < 0) return knotQ[hi]!;
    const pa = knotP[lo]!;
    const qa = knotQ[lo]!;
    return qa + ((knotQ[hi]! - qa) * (p - pa)) / (pb - pa);
  }
  function upperQuantile(u: number): number {
    if (Number.isNaN(u)) return Number.NaN;
    if (ut !== null && u < 1 - pn) {
      // 1 − p = (1 − w)(1 − p_c) in the upper tail; Φ⁻¹(1 − v) = −Φ⁻¹(v) keeps tiny v exact.
      const v = u / cw;
      const z = -stdNormalQuantile(v >= 1 ? 1 : v);
      return family === 'lognormal' ? Math.exp(ut.a + ut.b * z) : ut.a + ut.b * z;
    }
    return quantile(1 - u);
  }
  function upperQuantileLog(logU: number): number {
    if (Number.isNaN(logU)) return Number.NaN;
    if (logU > -690) return upperQuantile(Math.exp(logU));
    if (ut === null) return qn;
    const z = upperNormalDeviate(logU - Math.log(cw));
    return family === 'lognormal' ? Math.exp(ut.a + ut.b * z) : ut.a + ut.b * z;
  }
  function lowerQuantileLog(logP: number): number {
    if (Number.isNaN(logP)) return Number.NaN;
    if (logP > -690) return quantile(Math.exp(logP));
    if (lt === null) return q0;
    const z = -upperNormalDeviate(logP - Math.log(cw));
    return family === 'lognormal' ? Math.exp(lt.a + lt.b * z) : lt.a + lt.b * z;
  }
  function sample(rng: Rng, count: number): Float64Array {
    if (!Number.isInteger(count) || count < 0) {
      throw new AllotError('ALLOT_OUT_OF_RANGE', `n must be an integer >= 0 (got ${count})`);
    }
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let u = rng.uniform();
      while (u === 0) u = rng.uniform();
      out[i] = quantile(u);
    }
    return out;
  }
  const nan = { location: Number.NaN, scale: Number.NaN };
  return {
    knotQ,
    knotP,
    masses,
    discreteWeight: w,
    lowerTail: lt === null ? nan : { location: lt.a, scale: lt.b },
    upperTail: ut === null ? nan : { location: ut.a, scale: ut.b },
    tail: family,
    levels,
    values,
    cdf,
    quantile,
    upperQuantile,
    upperQuantileLog,
    lowerQuantileLog,
    sample,
  };
}

/**
 * The z with P(Z > z) = e^logV for a standard normal Z, for logV far below log(Number.MIN_VALUE): Newton steps on
 * the asymptotic series log P(Z > z) = −z²/2 − ln z − ln(2π)/2 + ln(1 − z⁻² + 3z⁻⁴ − 15z⁻⁶ + 105z⁻⁸) (error
 * below 1e-12 in the log for z > 37).
 */
function upperNormalDeviate(logV: number): number {
  if (logV > -690) return -stdNormalQuantile(Math.exp(logV));
  let z = Math.sqrt(-2 * logV);
  for (let k = 0; k < 50; k++) {
    const step = (logUpperTailAsymptotic(z) - logV) / (z + 1 / z);
    z += step;
    if (Math.abs(step) <= 1e-16 * z) break;
  }
  return z;
}

function logUpperTailAsymptotic(t: number): number {
  const r = 1 / (t * t);
  const series = 1 - r + 3 * r * r - 15 * r * r * r + 105 * r * r * r * r;
  return -0.5 * t * t - Math.log(t) - 0.9189385332046728 + Math.log(series);
}

/**
 * Standard normal quantile Φ⁻¹(p), accurate in the lower tail: the stdlib value (whose relative error in p grows
 * like 1e-16 / p, and which returns −∞ below p ≈ 1e-17) refined by Newton steps on ln Φ(z) = ln p.
 *
 * @param p - probability in [0, 1]
 * @returns z with Φ(z) = p (relative error in p about 1e-15 down to the smallest double)
 * @example
 * ```ts
 * stdNormalQuantile(1e-300); // -37.0470962993612
 * ```
 */
export function stdNormalQuantile(p: number): number {
  if (!(p < 1e-3)) return normalQuantile(p);
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  const lp = Math.log(p);
  let z = normalQuantile(p);
  if (!Number.isFinite(z)) z = -Math.sqrt(-2 * lp);
  for (let k = 0; k < 20; k++) {
    const c = normalCdf(z);
    let f: number;
    let d: number;
    if (c > 1e-300) {
      f = Math.log(c) - lp;
      d = normalPdf(z) / c;
    } else {
      f = logUpperTailAsymptotic(-z) - lp;
      d = -z + 1 / -z;
    }
    const step = f / d;
    z -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(z)) break;
  }
  return z;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
