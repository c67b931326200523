/**
 * LinUCB (OFUL radius) and linear Thompson sampling with a Normal-Inverse-Gamma posterior, over contextualised
 * action vectors, with O(d²) incremental updates and top-L selection.
 *
 * @remarks
 * The learning state is {@link LinearStats} (additive). Beside it each bandit keeps a derived cache, rebuilt from
 * the statistics whenever they are replaced (merge, snapshot restore) and every `refactorEvery` updates:
 * - LinUCB: V^{-1} maintained by Sherman–Morrison, V^{-1} ← V^{-1} − k k^T/(1 + u^T k), k = V^{-1}u, on the upper
 *   triangle only (so it stays exactly symmetric by construction), and ln det V by the matrix determinant lemma,
 *   ln det V += ln(1 + u^T k).
 * - LinTS: the upper Cholesky factor R of V (V = R^T R) maintained by rank-one Cholesky updates (also O(d²)); it is
 *   the factor the posterior sample goes through: θ̃ = θ_n + σ̃ R^{-1} z, z ~ N(0, I), so Cov = σ̃² V^{-1}.
 * Scores: LinUCB U(a) = a^T θ̂ + α·sqrt(f_{t,δ})·||a||_{V^{-1}} with the OFUL radius
 * sqrt(f) = R·sqrt(2 ln(1/δ) + ln det V − d ln λ) + sqrt(λ)·S (Abbasi-Yadkori et al. 2011, Thm 2);
 * LinTS s(a) = a^T θ̃ with one θ̃ per round (Algorithm 2 of Ermis et al. 2020), σ̃² = β_n/G, G ~ Gamma(α_n, 1),
 * α_n = α₀ + n/2 (n scalar observations), β_n = β₀ + (η − θ_n^T b)/2 (clamped at 1e-12).
 *
 * References:
 * - Y. Abbasi-Yadkori, D. Pál, Cs. Szepesvári, "Improved algorithms for linear stochastic bandits", NeurIPS 2011.
 * - S. Agrawal, N. Goyal, "Thompson sampling for contextual bandits with linear payoffs", ICML 2013.
 * - B. Ermis, P. Ernst, Y. Stein, G. Zappella, "Learning to Rank in the Position Based Model with Bandit Feedback",
 *   CIKM 2020, arXiv:2004.13106 (Algorithms 1 and 2, Prop. 1).
 * - C. Riquelme, G. Tucker, J. Snoek, "Deep Bayesian bandits showdown", ICLR 2018 (NIG linear posterior sampling).
 */
import { AllotError } from '../../core/errors.js';
import { choleskyInPlace, choleskySolve, solveUpper, symmetrize } from '../../core/linalg.js';
import type { Rng } from '../../core/rng.js';
import {
  assertFinite,
  assertInInterval,
  assertInteger,
  assertOneOf,
  assertPositive,
} from '../../core/validate.js';
import { cholUpdateUpper, cholUpdateUpperBlock, solveUpperTranspose, symQuadForms, topL } from './kernels.js';
import {
  addObservation,
  addObservations,
  addResponses,
  createLinearStats,
  gramMatrix,
  type LinearStats,
  mergeLinearStats,
} from './linear-stats.js';
import {
  cholUpdateUpperBlockWasm,
  quadFormsAndDotsWasm,
  shermanMorrisonWasm,
  symMatVecUpperWasm,
} from './wasm/quad.js';

/** The two exploration schemes. */
export type LinearAlgorithm = 'linucb' | 'lints';

/**
 * The default LinUCB radius multiplier: 0.1, chosen by a sweep of plain LinUCB at one position on a tuning seed (the
 * paper tunes its LinUCB's α; docs/rank.md). It was 1 (the theoretical OFUL radius) before issue 13.
 */
export const DEFAULT_ALPHA_SCALE = 0.1;

/** The algorithm names accepted by {@link createLinearBandit}. */
export const LINEAR_ALGORITHMS: readonly LinearAlgorithm[] = ['linucb', 'lints'];

/** Options of {@link createLinearBandit}; every field but `d` and `algorithm` has a default. */
export interface LinearBanditOptions {
  /** Feature dimension d >= 1. */
  readonly d: number;
  /** 'linucb' or 'lints'. */
  readonly algorithm: LinearAlgorithm;
  /** Ridge / prior precision λ > 0 (default 1). */
  readonly lambda?: number;
  /** LinUCB confidence δ in (0, 1) (default 0.1). */
  readonly delta?: number;
  /**
   * LinUCB multiplier of the OFUL radius (default {@link DEFAULT_ALPHA_SCALE} = 0.1; 1 is the theoretical radius,
   * which keeps LinUCB exploring for tens of thousands of rounds at d = 65: docs/rank.md has the sweep).
   */
  readonly alphaScale?: number;
  /** LinUCB sub-Gaussian noise scale R (default 1). */
  readonly noiseScale?: number;
  /** LinUCB bound S on ||θ|| (default 1). */
  readonly thetaBound?: number;
  /** LinTS Inverse-Gamma prior shape α₀ > 0 (default 1). */
  readonly alpha0?: number;
  /** LinTS Inverse-Gamma prior scale β₀ > 0 (default 1). */
  readonly beta0?: number;
  /**
   * LinTS multiplier of the posterior draw's spread: θ̃ = θ_n + posteriorScale·σ̃ R^{-1} z (default 1 = the exact
   * NIG posterior; the counterpart of LinUCB's alphaScale for sensitivity sweeps).
   */
  readonly posteriorScale?: number;
  /** Rebuild the cache from the statistics every this many updates (default 1000; 0 = never). */
  readonly refactorEvery?: number;
}

/** Resolved configuration. */
export interface LinearBanditConfig {
  readonly d: number;
  readonly algorithm: LinearAlgorithm;
  readonly lambda: number;
  readonly delta: number;
  readonly alphaScale: number;
  readonly noiseScale: number;
  readonly thetaBound: number;
  readonly alpha0: number;
  readonly beta0: number;
  readonly posteriorScale: number;
  readonly refactorEvery: number;
}

/**
 * A linear bandit: additive statistics plus a derived cache and preallocated scratch. Only `stats` is state; the
 * rest is rebuilt from it by {@link refactorLinearBandit}.
 */
export interface LinearBandit {
  readonly config: LinearBanditConfig;
  /** The additive state. */
  stats: LinearStats;
  /**
   * LinUCB: V^{-1} (d*d), of which only the upper triangle (column >= row) is kept current between refactorisations.
   * LinTS: the upper Cholesky factor R of V (d*d).
   */
  readonly factor: Float64Array;
  /**
   * ln det V. LinUCB keeps it current (matrix determinant lemma); LinTS, which does not need it to decide, marks it
   * stale after each update and {@link linearLogDet} recomputes it from the factor's diagonal on demand.
   */
  logDetV: number;
  /** Whether `logDetV` must be recomputed (LinTS only); read it through {@link linearLogDet}. */
  logDetStale: boolean;
  /** Posterior mean / ridge estimate θ̂ = V^{-1} b (valid when `thetaStale` is false). */
  readonly theta: Float64Array;
  /** Whether `theta` must be recomputed. */
  thetaStale: boolean;
  /** Updates since the last refactorisation. */
  sinceRefactor: number;
  /**
   * null (default): every observation enters `stats` in full. A function: the owner keeps the observations' Gram
   * matrix elsewhere (a PBM ranker's per-position statistics), so the updates add only b, η and n to `stats`, and
   * {@link refactorLinearBandit} first calls this function, which must rebuild `stats` in full (gram, b, η, n).
   * Between refactorisations `stats.gram` is then stale; the cache (V^{-1} or R) is not.
   */
  statsSource: (() => void) | null;
  /** Scratch (never part of the state). */
  readonly scratch: {
    readonly v1: Float64Array;
    readonly v2: Float64Array;
    readonly m1: Float64Array;
    readonly m2: Float64Array;
    /** 4d: the blocked Cholesky update's vectors; LinUCB's batch uses its first d as a second k. */
    readonly w4: Float64Array;
    /** LinUCB: the candidates' quadratic forms (grown to k on demand). */
    quad: Float64Array;
    /** Buffers of {@link compressRankOne} (grown to the batch size on demand). */
    comp: CompressScratch | null;
    idx: Int32Array;
    scores: Float64Array;
  };
}

function resolve(o: LinearBanditOptions): LinearBanditConfig {
  assertInteger('d', o.d, 1, 4096);
  const algorithm = assertOneOf('algorithm', o.algorithm, LINEAR_ALGORITHMS);
  const cfg: LinearBanditConfig = {
    d: o.d,
    algorithm,
    lambda: o.lambda ?? 1,
    delta: o.delta ?? 0.1,
    alphaScale: o.alphaScale ?? DEFAULT_ALPHA_SCALE,
    noiseScale: o.noiseScale ?? 1,
    thetaBound: o.thetaBound ?? 1,
    alpha0: o.alpha0 ?? 1,
    beta0: o.beta0 ?? 1,
    posteriorScale: o.posteriorScale ?? 1,
    refactorEvery: o.refactorEvery ?? 1000,
  };
  assertPositive('lambda', cfg.lambda);
  assertInInterval('delta', cfg.delta, 0, 1, true, true);
  assertFinite('alphaScale', cfg.alphaScale);
  if (cfg.alphaScale < 0)
    throw new AllotError('ALLOT_OUT_OF_RANGE', `alphaScale must be >= 0 (got ${cfg.alphaScale})`);
  assertPositive('noiseScale', cfg.noiseScale);
  assertPositive('thetaBound', cfg.thetaBound);
  assertPositive('alpha0', cfg.alpha0);
  assertPositive('beta0', cfg.beta0);
  assertFinite('posteriorScale', cfg.posteriorScale);
  if (cfg.posteriorScale < 0)
    throw new AllotError('ALLOT_OUT_OF_RANGE', `posteriorScale must be >= 0 (got ${cfg.posteriorScale})`);
  assertInteger('refactorEvery', cfg.refactorEvery, 0);
  return cfg;
}

/**
 * Creates a LinUCB or LinTS bandit with empty statistics.
 *
 * @param options - see {@link LinearBanditOptions}.
 * @param stats - optional initial statistics (e.g. a snapshot or a merge); copied.
 * @returns the bandit, its cache in sync with the statistics.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE / ALLOT_UNKNOWN_OPTION for bad options;
 *   ALLOT_SHAPE_MISMATCH if `stats` has another dimension.
 * @example
 * ```ts
 * const b = createLinearBandit({ d: 2, algorithm: 'linucb' });
 * b.stats.n; // 0
 * ```
 */
export function createLinearBandit(options: LinearBanditOptions, stats?: LinearStats): LinearBandit {
  const config = resolve(options);
  const d = config.d;
  if (stats !== undefined && stats.d !== d) {
    throw new AllotError('ALLOT_SHAPE_MISMATCH', `stats has dimension ${stats.d}, the bandit ${d}`);
  }
  const bandit: LinearBandit = {
    config,
    stats: stats === undefined ? createLinearStats(d) : mergeLinearStats(createLinearStats(d), stats),
    factor: new Float64Array(d * d),
    logDetV: 0,
    logDetStale: false,
    theta: new Float64Array(d),
    thetaStale: true,
    sinceRefactor: 0,
    statsSource: null,
    scratch: {
      v1: new Float64Array(d),
      v2: new Float64Array(d),
      m1: new Float64Array(d * d),
      m2: new Float64Array(d * d),
      w4: new Float64Array(4 * d),
      quad: new Float64Array(0),
      comp: null,
      idx: new Int32Array(0),
      scores: new Float64Array(0),
    },
  };
  refactorLinearBandit(bandit);
  return bandit;
}

/**
 * Rebuilds the cache (V^{-1} or the Cholesky factor of V, ln det V, θ̂) from the statistics, in O(d³), after
 * rebuilding the statistics from their source when the bandit has one ({@link LinearBandit.statsSource}).
 *
 * @throws ALLOT_NOT_POSITIVE_DEFINITE if λI + G is not numerically positive definite.
 */
export function refactorLinearBandit(bandit: LinearBandit): void {
  const { d, lambda, algorithm } = bandit.config;
  const { m1, m2, v1, v2 } = bandit.scratch;
  if (bandit.statsSource !== null) bandit.statsSource();
  gramMatrix(bandit.stats, lambda, m1);
  if (!choleskyInPlace(d, m1, m2)) {
    throw new AllotError(
      'ALLOT_NOT_POSITIVE_DEFINITE',
      `lambda*I + Gram of order ${d} is not positive definite`,
    );
  }
  let ld = 0;
  for (let i = 0; i < d; i++) ld += Math.log(m2[i * d + i]!);
  bandit.logDetV = 2 * ld;
  bandit.logDetStale = false;
  const f = bandit.factor;
  if (algorithm === 'lints') {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) f[i * d + j] = j >= i ? m2[j * d + i]! : 0;
  } else {
    for (let j = 0; j < d; j++) {
      v1.fill(0);
      v1[j] = 1;
      choleskySolve(d, m2, v1, v2);
      for (let i = 0; i < d; i++) f[i * d + j] = v2[i]!;
    }
    symmetrize(d, f);
  }
  bandit.sinceRefactor = 0;
  bandit.thetaStale = true;
}

/**
 * Learns one scalar observation: regression of y on u = scale·x (in the PBM, scale = q_ℓ and y = Z^ℓ).
 * O(d²), no allocation.
 *
 * @remarks Kernel: trusts finite inputs and x[offset .. offset + d) in range (validate with the policy).
 */
export function observeLinear(
  bandit: LinearBandit,
  x: Float64Array,
  offset: number,
  scale: number,
  y: number,
): void {
  const d = bandit.config.d;
  if (bandit.statsSource === null) addObservation(bandit.stats, x, offset, scale, y);
  else {
    const st = bandit.stats;
    const c = y * scale;
    for (let i = 0; i < d; i++) st.b[i]! += c * x[offset + i]!;
    st.yy += y * y;
    st.n += 1;
  }
  const f = bandit.factor;
  const { v1 } = bandit.scratch;
  if (bandit.config.algorithm === 'lints') {
    cholUpdateUpper(d, f, x, offset, scale, v1);
    // ln det V = 2 Σ ln R_ii costs d logarithms: deferred to linearLogDet (LinTS does not need it to decide)
    bandit.logDetStale = true;
  } else {
    // Sherman–Morrison on the upper triangle of V^{-1}: k = V^{-1} u by a symmetric mat-vec, then
    // V^{-1} -= k k^T / (1 + u^T k) on entries with column >= row.
    const u = bandit.scratch.v2;
    for (let i = 0; i < d; i++) {
      u[i] = scale * x[offset + i]!;
      v1[i] = 0;
    }
    for (let i = 0; i < d; i++) {
      const ui = u[i]!;
      const row = i * d;
      let s = v1[i]! + f[row + i]! * ui;
      for (let j = i + 1; j < d; j++) {
        const a = f[row + j]!;
        s += a * u[j]!;
        v1[j]! += a * ui;
      }
      v1[i] = s;
    }
    let quad = 0;
    for (let i = 0; i < d; i++) quad += u[i]! * v1[i]!;
    const c = 1 / (1 + quad);
    for (let i = 0; i < d; i++) {
      const ki = c * v1[i]!;
      if (ki === 0) continue;
      const row = i * d;
      for (let j = i; j < d; j++) f[row + j]! -= ki * v1[j]!;
    }
    bandit.logDetV += Math.log1p(quad);
  }
  bandit.thetaStale = true;
  bandit.sinceRefactor++;
  const every = bandit.config.refactorEvery;
  if (every > 0 && bandit.sinceRefactor >= every) refactorLinearBandit(bandit);
}

/**
 * Learns observations v = start .. start + m − 1 (y = ys[v] on u = scales[v]·x[offsets[v] ..]) in order: the same
 * statistics and cache, bit for bit, as m calls of {@link observeLinear} (the refactorisation every
 * `refactorEvery` updates included), with blocked kernels. O(m d²), no allocation. With a
 * {@link LinearBandit.statsSource} (which must already hold the batch) only b, η, n are added and a refactorisation
 * that falls due inside the batch runs once after it. A batch of 4 <= m < d observations whose vectors span
 * r <= m − 2 dimensions is learned as r rank-one updates ({@link compressRankOne}; same V, rounding apart), and a
 * refactorisation that falls due inside it also runs after it.
 *
 * @remarks
 * Kernel: trusts finite inputs and in-range offsets. The Gram matrix takes four observations per pass
 * ({@link addObservations}); LinTS's factor four rank-one updates per pass ({@link cholUpdateUpperBlock}); LinUCB's
 * Sherman–Morrison updates stay sequential (each k = V^{-1}u needs the previous update), but the rank-one update of
 * one observation is applied in the same pass over V^{-1} that computes the next observation's k, so V^{-1} is read
 * and written once per observation instead of twice.
 */
export function observeLinearBatch(
  bandit: LinearBandit,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  ys: ArrayLike<number>,
  start: number,
  m: number,
): void {
  const every = bandit.config.refactorEvery;
  const d = bandit.config.d;
  if (m >= 4 && m < d) {
    const sc = compressScratch(bandit, m);
    const r = compressRankOne(d, x, offsets, scales, start, m, m - 2, sc);
    if (r > 0) {
      // Σ_v u_v u_v^T = Σ_{i<r} g_i g_i^T: r rank-one updates of the Gram matrix and of the cache instead of m;
      // b, η and n take the m observations themselves.
      const st = bandit.stats;
      if (bandit.statsSource === null) {
        const n0 = st.n;
        const yy0 = st.yy;
        addObservations(st, sc.g, sc.offsets, sc.ones, sc.zeros, 0, r);
        st.n = n0;
        st.yy = yy0;
      }
      addResponses(st, x, offsets, scales, ys, start, m);
      if (bandit.config.algorithm === 'lints') {
        cholBlock(d, bandit.factor, sc.g, sc.offsets, sc.ones, 0, r, bandit.scratch.w4);
        bandit.logDetStale = true;
      } else {
        shermanMorrisonBatch(bandit, sc.g, sc.offsets, sc.ones, 0, r);
      }
      bandit.thetaStale = true;
      bandit.sinceRefactor += m;
      if (every > 0 && bandit.sinceRefactor >= every) refactorLinearBandit(bandit);
      return;
    }
  }
  const end = start + m;
  let v = start;
  while (v < end) {
    let chunk = end - v;
    // With a stats source the refactorisation rebuilds the statistics from it, which already holds the whole
    // batch, so the batch is not split: a refactorisation that falls due inside it runs after it.
    if (every > 0 && bandit.statsSource === null) {
      chunk = Math.max(1, Math.min(chunk, every - bandit.sinceRefactor));
    }
    if (bandit.statsSource === null) addObservations(bandit.stats, x, offsets, scales, ys, v, chunk);
    else addResponses(bandit.stats, x, offsets, scales, ys, v, chunk);
    if (bandit.config.algorithm === 'lints') {
      cholBlock(bandit.config.d, bandit.factor, x, offsets, scales, v, chunk, bandit.scratch.w4);
      bandit.logDetStale = true;
    } else {
      shermanMorrisonBatch(bandit, x, offsets, scales, v, chunk);
    }
    v += chunk;
    bandit.thetaStale = true;
    bandit.sinceRefactor += chunk;
    if (every > 0 && bandit.sinceRefactor >= every) refactorLinearBandit(bandit);
  }
}

/**
 * {@link cholUpdateUpperBlock} by the WebAssembly SIMD kernel where available (the same factor bit for bit), else
 * in JavaScript.
 */
function cholBlock(
  d: number,
  f: Float64Array,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
  work: Float64Array,
): void {
  if (!cholUpdateUpperBlockWasm(d, f, x, offsets, scales, start, m, work)) {
    cholUpdateUpperBlock(d, f, x, offsets, scales, start, m, work);
  }
}

/** Buffers of {@link compressRankOne} for batches of up to `cap` observations. */
export interface CompressScratch {
  readonly cap: number;
  /** cap*d: the orthonormal basis q_0..q_{r-1}, then (reused) nothing else. */
  readonly basis: Float64Array;
  /** cap*d: the compressed vectors g_0..g_{r-1}. */
  readonly g: Float64Array;
  /** cap*cap: coordinates z_v of u_v in the basis (row v). */
  readonly z: Float64Array;
  /** cap*cap: M = Σ_v z_v z_v^T, then its lower Cholesky factor E. */
  readonly m: Float64Array;
  readonly w: Float64Array;
  readonly w1: Float64Array;
  /** i*d for i < cap (offsets of the g_i). */
  readonly offsets: Int32Array;
  readonly ones: Float64Array;
  readonly zeros: Float64Array;
}

/** The bandit's {@link CompressScratch} for batches of m observations (allocated or grown on demand). */
export function compressScratch(bandit: LinearBandit, m: number): CompressScratch {
  const cur = bandit.scratch.comp;
  if (cur !== null && cur.cap >= m) return cur;
  const d = bandit.config.d;
  const cap = Math.max(m, 8);
  const offsets = new Int32Array(cap);
  for (let i = 0; i < cap; i++) offsets[i] = i * d;
  const sc: CompressScratch = {
    cap,
    basis: new Float64Array(cap * d),
    g: new Float64Array(cap * d),
    z: new Float64Array(cap * cap),
    m: new Float64Array(cap * cap),
    w: new Float64Array(d),
    w1: new Float64Array(d),
    offsets,
    ones: new Float64Array(cap).fill(1),
    zeros: new Float64Array(cap),
  };
  bandit.scratch.comp = sc;
  return sc;
}

/**
 * {@link compressRankOne}'s test of a residual w (ρ² = ||w||², ν = ||u||² before projection): returns r unchanged when
 * w is dropped (ρ² <= 1e-24 ν), −1 when the batch must not be compressed (nearly dependent, or r = maxRank), else
 * r + 1 after storing q_r = w/ρ and the coordinate ρ at z[zr + r].
 */
function admitResidual(
  d: number,
  w: Float64Array,
  rho2: number,
  nu: number,
  r: number,
  maxRank: number,
  basis: Float64Array,
  z: Float64Array,
  zr: number,
): number {
  if (rho2 <= 1e-24 * nu) return r;
  if (rho2 < 1e-12 * nu || r >= maxRank) return -1;
  const rho = Math.sqrt(rho2);
  const inv = 1 / rho;
  const qo = r * d;
  for (let i = 0; i < d; i++) basis[qo + i] = w[i]! * inv;
  z[zr + r] = rho;
  return r + 1;
}

/**
 * Rewrites the m rank-one terms of a batch, Σ_v u_v u_v^T with u_v = scales[v]·x[offsets[v] ..], as r terms
 * Σ_{i<r} g_i g_i^T with the same sum when the u_v span only r < m dimensions (a PBM round's L shown items: the
 * SIN vectors s·[a; c; a⊗c] of one context c lie in a 6-dimensional subspace, so L = 10 or 20 observations are 6
 * updates). Writes g_i to sc.g (row i) and returns r, or −1 when r would exceed `maxRank` or the span is
 * ill-conditioned (the caller then applies the m terms one by one).
 *
 * @remarks
 * Modified Gram–Schmidt on u_0, u_1, … gives an orthonormal basis Q = [q_0 … q_{r−1}] and coordinates u_v = Q z_v:
 * a residual ρ with ρ² ≤ 1e-24·||u_v||² is dropped (u_v is in the span up to rounding; the dropped part changes
 * u_v u_v^T by at most about 2e-12 of ||u_v||², below the 1e-10 the tests allow), one with ρ² < 1e-12·||u_v||²
 * (nearly but not numerically dependent) aborts, any other starts q_r = residual/ρ. Then M = Σ_v z_v z_v^T = E E^T
 * (r-by-r Cholesky; positive definite because z_v of the vector that opened q_j has ρ > 0 at j and zeros after j),
 * and g_i = Q E e_i, so Σ_i g_i g_i^T = Q E E^T Q^T = Σ_v Q z_v z_v^T Q^T = Σ_v u_v u_v^T. Cost O(m r d) against the
 * O((m − r) d²) of the rank-one updates saved.
 */
export function compressRankOne(
  d: number,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
  maxRank: number,
  sc: CompressScratch,
): number {
  const { basis, g, z, w, w1 } = sc;
  const mz = sc.m;
  const cap = sc.cap;
  let r = 0;
  let v = 0;
  // Two vectors per pass (two more independent chains): v + 1's projections on the basis v started from are the
  // ones it would get after v, since a vector that v adds comes last; v + 1 then takes that one in a pass of its
  // own (the same sum over the same final w as the fused pass computes).
  for (; v + 1 < m; v += 2) {
    const o = offsets[start + v]!;
    const s = scales[start + v]!;
    const o1 = offsets[start + v + 1]!;
    const s1 = scales[start + v + 1]!;
    const zr = v * cap;
    const zr1 = zr + cap;
    for (let j = 0; j < cap; j++) {
      z[zr + j] = 0;
      z[zr1 + j] = 0;
    }
    const r0 = r;
    let nu = 0;
    let nu1 = 0;
    let c = 0;
    let c1 = 0;
    if (r0 > 0) {
      for (let i = 0; i < d; i++) {
        const q = basis[i]!;
        const u = s * x[o + i]!;
        w[i] = u;
        nu += u * u;
        c += q * u;
        const u1 = s1 * x[o1 + i]!;
        w1[i] = u1;
        nu1 += u1 * u1;
        c1 += q * u1;
      }
    } else {
      for (let i = 0; i < d; i++) {
        const u = s * x[o + i]!;
        w[i] = u;
        nu += u * u;
        const u1 = s1 * x[o1 + i]!;
        w1[i] = u1;
        nu1 += u1 * u1;
      }
    }
    let rho2 = r0 > 0 ? 0 : nu;
    let rho21 = r0 > 0 ? 0 : nu1;
    for (let j = 0; j < r0; j++) {
      z[zr + j] = c;
      z[zr1 + j] = c1;
      const qo = j * d;
      if (j + 1 < r0) {
        const qn = qo + d;
        let cn = 0;
        let cn1 = 0;
        for (let i = 0; i < d; i++) {
          const q = basis[qo + i]!;
          const qq = basis[qn + i]!;
          const wi = w[i]! - c * q;
          w[i] = wi;
          cn += qq * wi;
          const wi1 = w1[i]! - c1 * q;
          w1[i] = wi1;
          cn1 += qq * wi1;
        }
        c = cn;
        c1 = cn1;
      } else {
        for (let i = 0; i < d; i++) {
          const q = basis[qo + i]!;
          const wi = w[i]! - c * q;
          w[i] = wi;
          rho2 += wi * wi;
          const wi1 = w1[i]! - c1 * q;
          w1[i] = wi1;
          rho21 += wi1 * wi1;
        }
      }
    }
    r = admitResidual(d, w, rho2, nu, r, maxRank, basis, z, zr);
    if (r < 0) return -1;
    if (r > r0) {
      // v added q_{r0}: v + 1's coordinate on it, then its residual
      const qo = r0 * d;
      let cr = 0;
      for (let i = 0; i < d; i++) cr += basis[qo + i]! * w1[i]!;
      z[zr1 + r0] = cr;
      rho21 = 0;
      for (let i = 0; i < d; i++) {
        const wi1 = w1[i]! - cr * basis[qo + i]!;
        w1[i] = wi1;
        rho21 += wi1 * wi1;
      }
    }
    r = admitResidual(d, w1, rho21, nu1, r, maxRank, basis, z, zr1);
    if (r < 0) return -1;
  }
  for (; v < m; v++) {
    const o = offsets[start + v]!;
    const s = scales[start + v]!;
    const zr = v * cap;
    for (let j = 0; j < cap; j++) z[zr + j] = 0;
    // One pass per basis vector: w = s·x with ||w||² and c = q_0·w, then w -= c_j q_j with the next coordinate
    // c_{j+1} = q_{j+1}·w (or, after the last, ρ² = ||w||²) in the same pass: every sum takes the same terms in
    // the same order as separate passes (two independent chains per pass instead of one).
    let nu = 0;
    let c = 0;
    if (r > 0) {
      for (let i = 0; i < d; i++) {
        const u = s * x[o + i]!;
        w[i] = u;
        nu += u * u;
        c += basis[i]! * u;
      }
    } else {
      for (let i = 0; i < d; i++) {
        const u = s * x[o + i]!;
        w[i] = u;
        nu += u * u;
      }
    }
    // with r = 0, ||w||² is nu itself (the same products summed in the same order)
    let rho2 = r > 0 ? 0 : nu;
    for (let j = 0; j < r; j++) {
      z[zr + j] = c;
      const qo = j * d;
      if (j + 1 < r) {
        const qn = qo + d;
        let cn = 0;
        for (let i = 0; i < d; i++) {
          const wi = w[i]! - c * basis[qo + i]!;
          w[i] = wi;
          cn += basis[qn + i]! * wi;
        }
        c = cn;
      } else {
        for (let i = 0; i < d; i++) {
          const wi = w[i]! - c * basis[qo + i]!;
          w[i] = wi;
          rho2 += wi * wi;
        }
      }
    }
    r = admitResidual(d, w, rho2, nu, r, maxRank, basis, z, zr);
    if (r < 0) return -1;
  }
  if (r === 0) return -1;
  // M = Σ_v z_v z_v^T (lower triangle), then its Cholesky factor E in place (lower, row-major with stride cap)
  for (let a = 0; a < r; a++) {
    for (let b = 0; b <= a; b++) {
      let t = 0;
      for (let v = 0; v < m; v++) t += z[v * cap + a]! * z[v * cap + b]!;
      mz[a * cap + b] = t;
    }
  }
  for (let j = 0; j < r; j++) {
    let dj = mz[j * cap + j]!;
    for (let k = 0; k < j; k++) dj -= mz[j * cap + k]! * mz[j * cap + k]!;
    if (!(dj > 0)) return -1;
    const ljj = Math.sqrt(dj);
    mz[j * cap + j] = ljj;
    for (let i = j + 1; i < r; i++) {
      let t = mz[i * cap + j]!;
      for (let k = 0; k < j; k++) t -= mz[i * cap + k]! * mz[j * cap + k]!;
      mz[i * cap + j] = t / ljj;
    }
  }
  // g_i = Σ_{j>=i} E_ji q_j
  for (let i = 0; i < r; i++) {
    const go = i * d;
    for (let t = 0; t < d; t++) g[go + t] = 0;
    for (let j = i; j < r; j++) {
      const e = mz[j * cap + i]!;
      const qo = j * d;
      for (let t = 0; t < d; t++) g[go + t]! += e * basis[qo + t]!;
    }
  }
  return r;
}

/**
 * LinUCB: m sequential Sherman–Morrison updates of the upper triangle of V^{-1} and of ln det V, with the rank-one
 * update of observation v fused into the pass that computes k = V^{-1}u of observation v + 1 (row i is updated,
 * then used for the mat-vec), two rows per pass: the values and the order of every operation are those of
 * {@link observeLinear}.
 */
function shermanMorrisonBatch(
  bandit: LinearBandit,
  x: Float64Array,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  start: number,
  m: number,
): void {
  const d = bandit.config.d;
  const f = bandit.factor;
  // the WebAssembly SIMD kernel where available (the same V^{-1} and ln det V bit for bit)
  const ld = shermanMorrisonWasm(d, f, x, offsets, scales, start, m, bandit.logDetV);
  if (ld !== null) {
    bandit.logDetV = ld;
    return;
  }
  const u = bandit.scratch.v2;
  let k = bandit.scratch.v1;
  let kp = bandit.scratch.w4;
  let cp = 0;
  let pending = false;
  for (let v = start; v < start + m; v++) {
    const off = offsets[v]!;
    const scale = scales[v]!;
    for (let i = 0; i < d; i++) {
      u[i] = scale * x[off + i]!;
      k[i] = 0;
    }
    // Rows two at a time (each u_j, kp_j and k_j loaded once for both rows). Row i's terms reach k[i + 1] before
    // row i + 1 starts its sum, and k[j] takes row i's term before row i + 1's: the order of one row at a time.
    let i = 0;
    // The batch's first observation has no pending update: k = V^{-1}u is the plain symmetric mat-vec.
    if (!pending) {
      symMatVecUpper(d, f, u, k);
      i = d;
    }
    for (; i + 1 < d; i += 2) {
      const ui = u[i]!;
      const ui1 = u[i + 1]!;
      const row = i * d;
      const row1 = row + d;
      const ki = cp * kp[i]!;
      const ki1 = cp * kp[i + 1]!;
      if (ki === 0 || ki1 === 0) {
        smRow(d, f, u, k, kp, i, ki);
        smRow(d, f, u, k, kp, i + 1, ki1);
        continue;
      }
      const aii = f[row + i]! - ki * kp[i]!;
      f[row + i] = aii;
      let s = k[i]! + aii * ui;
      const a01 = f[row + i + 1]! - ki * kp[i + 1]!;
      f[row + i + 1] = a01;
      s += a01 * u[i + 1]!;
      k[i + 1]! += a01 * ui;
      const b11 = f[row1 + i + 1]! - ki1 * kp[i + 1]!;
      f[row1 + i + 1] = b11;
      let s1 = k[i + 1]! + b11 * ui1;
      for (let j = i + 2; j < d; j++) {
        const kpj = kp[j]!;
        const a = f[row + j]! - ki * kpj;
        f[row + j] = a;
        const b = f[row1 + j]! - ki1 * kpj;
        f[row1 + j] = b;
        const uj = u[j]!;
        s += a * uj;
        s1 += b * uj;
        k[j] = k[j]! + a * ui + b * ui1;
      }
      k[i] = s;
      k[i + 1] = s1;
    }
    if (i < d) smRow(d, f, u, k, kp, i, cp * kp[i]!);
    let quad = 0;
    for (let i = 0; i < d; i++) quad += u[i]! * k[i]!;
    cp = 1 / (1 + quad);
    bandit.logDetV += Math.log1p(quad);
    pending = true;
    const t = kp;
    kp = k;
    k = t;
  }
  if (pending) {
    for (let i = 0; i < d; i++) {
      const ki = cp * kp[i]!;
      if (ki === 0) continue;
      const row = i * d;
      for (let j = i; j < d; j++) f[row + j]! -= ki * kp[j]!;
    }
  }
}

/**
 * out = A b for a symmetric A of which the upper triangle is read, two rows per pass; out[j] sums its terms in
 * ascending order of the row, as the one-row loop does. `out` must not alias `b`.
 */
function symMatVecUpper(d: number, f: Float64Array, b: Float64Array, out: Float64Array): void {
  out.fill(0);
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const bi = b[i]!;
    const bi1 = b[i + 1]!;
    const row = i * d;
    const row1 = row + d;
    let s = out[i]! + f[row + i]! * bi;
    const a01 = f[row + i + 1]!;
    s += a01 * bi1;
    out[i + 1]! += a01 * bi;
    let s1 = out[i + 1]! + f[row1 + i + 1]! * bi1;
    for (let j = i + 2; j < d; j++) {
      const a = f[row + j]!;
      const c = f[row1 + j]!;
      const bj = b[j]!;
      s += a * bj;
      s1 += c * bj;
      out[j] = out[j]! + a * bi + c * bi1;
    }
    out[i] = s;
    out[i + 1] = s1;
  }
  if (i < d) out[i] = out[i]! + f[i * d + i]! * b[i]!;
}

/**
 * One row of {@link shermanMorrisonBatch}'s pass: the pending rank-one update of row i (skipped when ki = 0, as
 * {@link observeLinear} skips it), then row i's share of the mat-vec k = V^{-1}u.
 */
function smRow(
  d: number,
  f: Float64Array,
  u: Float64Array,
  k: Float64Array,
  kp: Float64Array,
  i: number,
  ki: number,
): void {
  const ui = u[i]!;
  const row = i * d;
  if (ki === 0) {
    let s = k[i]! + f[row + i]! * ui;
    for (let j = i + 1; j < d; j++) {
      const a = f[row + j]!;
      s += a * u[j]!;
      k[j]! += a * ui;
    }
    k[i] = s;
    return;
  }
  const aii = f[row + i]! - ki * kp[i]!;
  f[row + i] = aii;
  let s = k[i]! + aii * ui;
  for (let j = i + 1; j < d; j++) {
    const a = f[row + j]! - ki * kp[j]!;
    f[row + j] = a;
    s += a * u[j]!;
    k[j]! += a * ui;
  }
  k[i] = s;
}

/**
 * Adds a delta (statistics of other observations, e.g. another replica's) and rebuilds the cache.
 *
 * @throws ALLOT_SHAPE_MISMATCH when the dimensions differ.
 */
export function applyLinearDelta(bandit: LinearBandit, delta: LinearStats): void {
  bandit.stats = mergeLinearStats(bandit.stats, delta);
  refactorLinearBandit(bandit);
}

/** θ̂ = V^{-1} b (the ridge / Prop. 1 estimate and the posterior mean), recomputed when stale. O(d²). */
export function linearMean(bandit: LinearBandit): Float64Array {
  if (!bandit.thetaStale) return bandit.theta;
  const d = bandit.config.d;
  const f = bandit.factor;
  const b = bandit.stats.b;
  const th = bandit.theta;
  if (bandit.config.algorithm === 'lints') {
    solveUpperTranspose(d, f, b, bandit.scratch.v1);
    solveUpper(d, f, bandit.scratch.v1, th);
  } else {
    // symmetric mat-vec from the upper triangle (WebAssembly where available: the same sums bit for bit)
    if (!symMatVecUpperWasm(d, f, b, th)) symMatVecUpper(d, f, b, th);
  }
  bandit.thetaStale = false;
  return th;
}

/** ln det V, recomputed from the Cholesky factor's diagonal when stale (LinTS). O(d) then, O(1) otherwise. */
export function linearLogDet(bandit: LinearBandit): number {
  if (bandit.logDetStale) {
    const d = bandit.config.d;
    const f = bandit.factor;
    let ld = 0;
    for (let i = 0; i < d; i++) ld += Math.log(f[i * d + i]!);
    bandit.logDetV = 2 * ld;
    bandit.logDetStale = false;
  }
  return bandit.logDetV;
}

/**
 * The OFUL confidence radius sqrt(f_{t,δ}) times `alphaScale`.
 *
 * @remarks sqrt(f) = R·sqrt(2 ln(1/δ) + ln det V − d ln λ) + sqrt(λ)·S (Abbasi-Yadkori et al. 2011, Thm 2).
 */
export function ofulRadius(bandit: LinearBandit): number {
  const { d, lambda, delta, noiseScale, thetaBound, alphaScale } = bandit.config;
  const inner = Math.max(0, 2 * Math.log(1 / delta) + linearLogDet(bandit) - d * Math.log(lambda));
  return alphaScale * (noiseScale * Math.sqrt(inner) + Math.sqrt(lambda) * thetaBound);
}

/**
 * LinUCB scores U(a) = a^T θ̂ + radius·||a||_{V^{-1}} of k candidates, written into `out`. O(k d²/2), the k
 * quadratic forms computed as one blocked product ({@link symQuadForms}).
 *
 * @remarks Kernel (LinUCB bandits only): xs is k*d row-major and finite.
 */
export function linUcbScores(
  bandit: LinearBandit,
  xs: Float64Array,
  k: number,
  out: Float64Array,
): Float64Array {
  const d = bandit.config.d;
  const th = linearMean(bandit);
  const rad = ofulRadius(bandit);
  // The k quadratic forms ||x_a||²_{V^{-1}} as one blocked product (four candidates per pass over V^{-1}) and the
  // dot products x_a^T θ̂: by the WebAssembly SIMD kernel where available (the same values bit for bit), else in
  // JavaScript.
  if (bandit.scratch.quad.length < k) bandit.scratch.quad = new Float64Array(k);
  const w = bandit.scratch.quad;
  if (!quadFormsAndDotsWasm(d, bandit.factor, xs, k, th, w, out)) {
    symQuadForms(d, bandit.factor, xs, k, w);
    dots(d, xs, k, th, out);
  }
  for (let a = 0; a < k; a++) {
    const wa = w[a]!;
    out[a]! += rad * Math.sqrt(wa > 0 ? wa : 0);
  }
  return out;
}

/**
 * out[a] = x_a^T θ for k row-major candidates, four candidates at a time (four independent sums, each in the order
 * of i, so each equals the one-at-a-time sum bit for bit).
 */
function dots(d: number, xs: Float64Array, k: number, th: Float64Array, out: Float64Array): void {
  let a = 0;
  for (; a + 4 <= k; a += 4) {
    const o0 = a * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    for (let i = 0; i < d; i++) {
      const ti = th[i]!;
      m0 += xs[o0 + i]! * ti;
      m1 += xs[o1 + i]! * ti;
      m2 += xs[o2 + i]! * ti;
      m3 += xs[o3 + i]! * ti;
    }
    out[a] = m0;
    out[a + 1] = m1;
    out[a + 2] = m2;
    out[a + 3] = m3;
  }
  for (; a < k; a++) {
    const off = a * d;
    let m = 0;
    for (let i = 0; i < d; i++) m += xs[off + i]! * th[i]!;
    out[a] = m;
  }
}

/** The NIG posterior parameters (α_n, β_n) of the noise variance given the current statistics. */
export function nigShapeScale(bandit: LinearBandit): { alpha: number; beta: number } {
  const th = linearMean(bandit);
  const b = bandit.stats.b;
  let tb = 0;
  for (let i = 0; i < bandit.config.d; i++) tb += th[i]! * b[i]!;
  return {
    alpha: bandit.config.alpha0 + bandit.stats.n / 2,
    beta: Math.max(1e-12, bandit.config.beta0 + 0.5 * (bandit.stats.yy - tb)),
  };
}

/**
 * Draws one θ̃ from the Normal-Inverse-Gamma posterior into `out`: σ̃² ~ IG(α_n, β_n), θ̃ ~ N(θ_n, σ̃² V^{-1}).
 *
 * @remarks Kernel (LinTS bandits only). Cost O(d²): two triangular solves for θ_n (cached) and one for the noise.
 */
export function sampleLinTs(bandit: LinearBandit, rng: Rng, out: Float64Array): Float64Array {
  const d = bandit.config.d;
  const f = bandit.factor;
  const alpha = bandit.config.alpha0 + bandit.stats.n / 2;
  const z = bandit.scratch.v2;
  let th: Float64Array;
  let g: number;
  if (bandit.thetaStale && bandit.config.algorithm === 'lints') {
    // θ_n = R^{-1}(R^{-T} b) and R^{-1} z share one backward substitution (two independent chains, each with the
    // sums of solveUpper); the draws come in the same order as below (G, then z).
    th = bandit.theta;
    solveUpperTranspose(d, f, bandit.stats.b, bandit.scratch.v1);
    g = rng.gamma(alpha, 1);
    for (let i = 0; i < d; i++) z[i] = rng.normal();
    solveUpperPair(d, f, bandit.scratch.v1, th, z, z);
    bandit.thetaStale = false;
  } else {
    th = linearMean(bandit);
    g = rng.gamma(alpha, 1);
    for (let i = 0; i < d; i++) z[i] = rng.normal();
    solveUpper(d, f, z, z);
  }
  const b = bandit.stats.b;
  let tb = 0;
  for (let i = 0; i < d; i++) tb += th[i]! * b[i]!;
  const beta = Math.max(1e-12, bandit.config.beta0 + 0.5 * (bandit.stats.yy - tb));
  const sigma = bandit.config.posteriorScale * Math.sqrt(beta / g);
  for (let i = 0; i < d; i++) out[i] = th[i]! + sigma * z[i]!;
  return out;
}

/**
 * Two upper-triangular solves U out1 = b1 and U out2 = b2 in one backward pass, each with the operations of
 * `solveUpper` (out_i = (b_i − Σ_{k>i} u_ik out_k)/u_ii, the sum in ascending k). out2 may alias b2.
 */
function solveUpperPair(
  n: number,
  u: Float64Array,
  b1: Float64Array,
  out1: Float64Array,
  b2: Float64Array,
  out2: Float64Array,
): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b1[i]!;
    let t = b2[i]!;
    const row = i * n;
    for (let k = i + 1; k < n; k++) {
      const a = u[row + k]!;
      s -= a * out1[k]!;
      t -= a * out2[k]!;
    }
    const uii = u[row + i]!;
    out1[i] = s / uii;
    out2[i] = t / uii;
  }
}

/**
 * LinTS scores s(a) = a^T θ̃ with one posterior draw θ̃ for all k candidates, written into `out`.
 *
 * @remarks Kernel (LinTS bandits only): xs is k*d row-major and finite.
 */
export function linTsScores(
  bandit: LinearBandit,
  xs: Float64Array,
  k: number,
  rng: Rng,
  out: Float64Array,
): Float64Array {
  const d = bandit.config.d;
  const th = sampleLinTs(bandit, rng, bandit.scratch.v1);
  dots(d, xs, k, th, out);
  return out;
}

/** Scores of k candidates by the bandit's algorithm (LinUCB upper bounds or one LinTS draw). Kernel. */
export function linearScores(
  bandit: LinearBandit,
  xs: Float64Array,
  k: number,
  rng: Rng,
  out: Float64Array,
): Float64Array {
  return bandit.config.algorithm === 'lints'
    ? linTsScores(bandit, xs, k, rng, out)
    : linUcbScores(bandit, xs, k, out);
}

/**
 * Checks a candidate block at a public boundary: k*d finite entries.
 *
 * @throws ALLOT_SHAPE_MISMATCH for a wrong length; ALLOT_NOT_FINITE for a non-finite feature.
 */
export function assertCandidates(xs: ArrayLike<number>, k: number, d: number): void {
  if (xs.length !== k * d) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `candidate features must have ${k} actions x ${d} dimensions = ${k * d} entries (got ${xs.length})`,
    );
  }
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (!Number.isFinite(v)) {
      throw new AllotError(
        'ALLOT_NOT_FINITE',
        `candidate features of action ${Math.floor(i / d)}, dimension ${i % d} must be finite (got ${v})`,
      );
    }
  }
}

/**
 * Plain (non-ranking) top-L decision: the L best-scored candidates, best first (LinUCB or LinTS with q = 1).
 *
 * @param bandit - the bandit.
 * @param xs - k*d row-major candidate features.
 * @param k - number of candidates >= 1.
 * @param l - list length in [1, k].
 * @param rng - randomness (LinTS draw).
 * @param out - receives the l chosen candidate indices (default: a new Int32Array).
 * @returns `out`.
 * @throws ALLOT_SHAPE_MISMATCH / ALLOT_NOT_FINITE / ALLOT_OUT_OF_RANGE for bad candidates or l.
 */
export function decideLinearTopL(
  bandit: LinearBandit,
  xs: Float64Array,
  k: number,
  l: number,
  rng: Rng,
  out: Int32Array = new Int32Array(l),
): Int32Array {
  assertInteger('actions', k, 1);
  assertInteger('positions', l, 1, k);
  assertCandidates(xs, k, bandit.config.d);
  const s = ensureScratch(bandit, k);
  linearScores(bandit, xs, k, rng, s.scores);
  return topL(k, l, s.scores, s.idx, out);
}

/** Makes sure the per-candidate scratch holds k entries (reallocated only when k grows). */
export function ensureScratch(bandit: LinearBandit, k: number): { scores: Float64Array; idx: Int32Array } {
  const sc = bandit.scratch;
  if (sc.scores.length < k) {
    sc.scores = new Float64Array(k);
    sc.idx = new Int32Array(k);
  }
  return sc;
}

/**
 * Learns the feedback of one shown list (plain, q = 1): one scalar observation per position.
 *
 * @throws ALLOT_SHAPE_MISMATCH / ALLOT_NOT_FINITE / ALLOT_OUT_OF_RANGE for bad inputs.
 */
export function learnLinear(
  bandit: LinearBandit,
  xs: Float64Array,
  k: number,
  list: ArrayLike<number>,
  rewards: ArrayLike<number>,
): void {
  assertCandidates(xs, k, bandit.config.d);
  if (list.length !== rewards.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `list and rewards must have the same length (got ${list.length} and ${rewards.length})`,
    );
  }
  for (let j = 0; j < list.length; j++) {
    assertInteger(`list[${j}]`, list[j], 0, k - 1);
    assertFinite(`rewards[${j}]`, rewards[j]);
  }
  for (let j = 0; j < list.length; j++) observeLinear(bandit, xs, list[j]! * bandit.config.d, 1, rewards[j]!);
}

/**
 * The Normal-Inverse-Gamma posterior of statistics under the prior σ² ~ IG(α₀, β₀), θ | σ² ~ N(0, σ²/λ I).
 *
 * @remarks
 * V_n = λI + G, θ_n = V_n^{-1} b, α_n = α₀ + n/2, β_n = β₀ + (η − θ_n^T b)/2 (Section 3.2 of Ermis et al. 2020,
 * with the corrections listed in the algorithm notes: n counts scalar observations, sums are cumulative).
 * @returns θ_n, α_n, β_n (allocates; O(d³)).
 * @throws ALLOT_OUT_OF_RANGE for non-positive hyperparameters.
 */
export function nigPosterior(
  stats: LinearStats,
  lambda: number,
  alpha0: number,
  beta0: number,
): { theta: Float64Array; alpha: number; beta: number } {
  assertPositive('lambda', lambda);
  assertPositive('alpha0', alpha0);
  assertPositive('beta0', beta0);
  const d = stats.d;
  const a = gramMatrix(stats, lambda);
  const l = new Float64Array(d * d);
  if (!choleskyInPlace(d, a, l)) {
    throw new AllotError(
      'ALLOT_NOT_POSITIVE_DEFINITE',
      `lambda*I + Gram of order ${d} is not positive definite`,
    );
  }
  const theta = choleskySolve(d, l, stats.b, new Float64Array(d));
  let tb = 0;
  for (let i = 0; i < d; i++) tb += theta[i]! * stats.b[i]!;
  return { theta, alpha: alpha0 + stats.n / 2, beta: Math.max(1e-12, beta0 + 0.5 * (stats.yy - tb)) };
}
