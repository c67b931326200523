/**
 * Point estimates, influence-function standard errors and bootstrap percentile intervals for estimators that are
 * sums of ratios of column totals (every estimator of this module has that form: IPW = sum(w r) / n,
 * SNIPW = sum(w r) / sum(w), SNDR = sum(q) / n + sum(w (r - q)) / sum(w), ...). Columns are aggregated per cluster
 * (an impression, or a row), and the bootstrap resamples clusters.
 */
import { AllotError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';

/** One term a'T / b'T of an estimator, with `a` and `b` sparse over columns (pairs [column, coefficient]). */
export interface RatioTerm {
  readonly num: readonly (readonly [number, number])[];
  readonly den: readonly (readonly [number, number])[];
}

/** An estimator: the sum of its terms. */
export interface RatioEstimator {
  readonly name: string;
  readonly terms: readonly RatioTerm[];
}

/** An estimate with its uncertainty. */
export interface Estimate {
  /** The point estimate (null when undefined, e.g. a self-normalised estimator whose weights are all zero). */
  readonly value: number | null;
  /** Standard error from the influence function (delta method over clusters). */
  readonly se: number | null;
  /** The reported 95% interval: bootstrap percentile when resamples were drawn, else normal. */
  readonly ci95: readonly [number | null, number | null];
  /** value +- 1.96 se. */
  readonly ciNormal: readonly [number | null, number | null];
  /** Bootstrap percentile interval (2.5%, 97.5%), when resamples were drawn. */
  readonly ciBootstrap?: readonly [number | null, number | null];
  /** Standard deviation of the bootstrap estimates. */
  readonly seBootstrap?: number | null;
}

/**
 * How clusters are resampled: `multinomial` draws C clusters with replacement (Efron's bootstrap); `poisson` gives
 * every cluster an independent Poisson(1) count (the Poisson bootstrap of Hanley and MacGibbon 2006 and Chamandy et
 * al. 2012: the same limit, computed in one sequential pass over the data for all resamples at once); `auto` uses
 * multinomial below 100,000 clusters and Poisson from there on.
 */
export type BootstrapMethod = 'auto' | 'multinomial' | 'poisson';

/** Cluster count from which `auto` switches to the Poisson bootstrap. */
export const POISSON_BOOTSTRAP_FROM = 100_000;

// Poisson(1) CDF at k = 0..12 scaled to 2^32, for inversion with one 32-bit draw.
const POISSON1_THRESHOLDS: Float64Array = (() => {
  const t = new Float64Array(13);
  let p = Math.exp(-1);
  let c = 0;
  for (let k = 0; k < 13; k++) {
    c += p;
    t[k] = Math.min(4294967296, Math.floor(c * 4294967296));
    p /= k + 1;
  }
  t[12] = 4294967296;
  return t;
})();

/**
 * Kernel: B Poisson-bootstrap totals in one pass over the clusters: `out[b * ncol + j] += k_cb * cols[c * ncol + j]`
 * with k_cb ~ Poisson(1) drawn by inversion of one 32-bit uniform (counts above 12, probability 1e-10, are cut to 12).
 */
export function poissonBootstrapTotals(
  cols: Float64Array,
  ncol: number,
  C: number,
  B: number,
  rng: Rng,
  out: Float64Array,
): Float64Array {
  out.fill(0);
  const t0 = POISSON1_THRESHOLDS[0]!;
  const t1 = POISSON1_THRESHOLDS[1]!;
  const t2 = POISSON1_THRESHOLDS[2]!;
  const t3 = POISSON1_THRESHOLDS[3]!;
  const t4 = POISSON1_THRESHOLDS[4]!;
  // Blocks of clusters small enough to stay in L1 while every resample sweeps them, accumulating in registers.
  const BLOCK = 256;
  const wide = ncol === 7 ? 7 : 0;
  for (let c0 = 0; c0 < C; c0 += BLOCK) {
    const c1 = Math.min(C, c0 + BLOCK);
    for (let b = 0; b < B; b++) {
      const ob = b * ncol;
      if (wide === 7) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let a4 = 0;
        let a5 = 0;
        let a6 = 0;
        for (let c = c0; c < c1; c++) {
          const u = rng.uint32();
          // Branch-free inversion for k <= 5 (probability 0.99941); the rare tail continues the search.
          let k = +(u >= t0) + +(u >= t1) + +(u >= t2) + +(u >= t3) + +(u >= t4);
          if (u >= t4) {
            k = 5;
            while (u >= POISSON1_THRESHOLDS[k]!) k++;
          }
          const o = c * 7;
          a0 += k * cols[o]!;
          a1 += k * cols[o + 1]!;
          a2 += k * cols[o + 2]!;
          a3 += k * cols[o + 3]!;
          a4 += k * cols[o + 4]!;
          a5 += k * cols[o + 5]!;
          a6 += k * cols[o + 6]!;
        }
        out[ob]! += a0;
        out[ob + 1]! += a1;
        out[ob + 2]! += a2;
        out[ob + 3]! += a3;
        out[ob + 4]! += a4;
        out[ob + 5]! += a5;
        out[ob + 6]! += a6;
      } else {
        for (let c = c0; c < c1; c++) {
          const u = rng.uint32();
          if (u < t0) continue;
          let k = 1;
          if (u >= t1) {
            k = 2;
            while (u >= POISSON1_THRESHOLDS[k]!) k++;
          }
          const o = c * ncol;
          for (let j = 0; j < ncol; j++) out[ob + j]! += k * cols[o + j]!;
        }
      }
    }
  }
  return out;
}

/** z_{0.975}. */
export const Z975 = 1.959963984540054;

function lin(form: readonly (readonly [number, number])[], x: Float64Array, off: number): number {
  let s = 0;
  for (let j = 0; j < form.length; j++) s += form[j]![1] * x[off + form[j]![0]]!;
  return s;
}

function ratioValue(est: RatioEstimator, T: Float64Array): number {
  let v = 0;
  for (const t of est.terms) v += lin(t.num, T, 0) / lin(t.den, T, 0);
  return v;
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Type-7 quantile of sorted finite values. */
function quantileSorted(s: Float64Array, n: number, p: number): number {
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/**
 * Computes each estimator with its influence-function standard error and, if `bootstrap` > 0, a bootstrap
 * percentile interval from resampling the C clusters with replacement (seeded).
 *
 * @remarks For a term V_t = a'T / b'T the influence of cluster c is (a'x_c - V_t b'x_c) / mean_c(b'x_c); the
 *   estimator's influence is the sum over its terms and se = sd(psi) / sqrt(C) (Efron and Tibshirani 1993, ch. 21;
 *   van der Vaart 1998, ch. 20). Percentile interval: Efron and Tibshirani (1993), ch. 13.
 *
 * References: B. Efron, R. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall, 1993,
 * doi:10.1201/9780429246593.
 *
 * @param cols - C x ncol row-major cluster totals.
 * @param ncol - columns.
 * @param C - clusters (>= 1).
 * @param estimators - the estimators to compute.
 * @param bootstrap - resamples B (0 for none).
 * @param seed - seed of the resampling.
 * @returns one {@link Estimate} per estimator, by name.
 * @throws ALLOT_INVALID_ARGUMENT when bootstrap is not an integer >= 0.
 */
export function ratioEstimates(
  cols: Float64Array,
  ncol: number,
  C: number,
  estimators: readonly RatioEstimator[],
  bootstrap: number,
  seed: number,
  method: BootstrapMethod = 'auto',
): Record<string, Estimate> {
  if (!(Number.isInteger(bootstrap) && bootstrap >= 0))
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `bootstrap must be an integer >= 0 (got ${bootstrap})`);
  const T = new Float64Array(ncol);
  for (let c = 0; c < C; c++) for (let j = 0; j < ncol; j++) T[j]! += cols[c * ncol + j]!;
  const out: Record<string, Estimate> = {};
  const E = estimators.length;
  const values = new Float64Array(E);
  const ses = new Float64Array(E);
  for (let e = 0; e < E; e++) {
    const est = estimators[e]!;
    const v = ratioValue(est, T);
    values[e] = v;
    // Influence function over clusters.
    const termV = est.terms.map((t) => lin(t.num, T, 0) / lin(t.den, T, 0));
    const denMean = est.terms.map((t) => lin(t.den, T, 0) / C);
    let s1 = 0;
    let s2 = 0;
    for (let c = 0; c < C; c++) {
      let psi = 0;
      for (let t = 0; t < est.terms.length; t++) {
        const term = est.terms[t]!;
        psi += (lin(term.num, cols, c * ncol) - termV[t]! * lin(term.den, cols, c * ncol)) / denMean[t]!;
      }
      s1 += psi;
      s2 += psi * psi;
    }
    const varPsi = C > 1 ? (s2 - (s1 * s1) / C) / (C - 1) : Number.NaN;
    ses[e] = Math.sqrt(Math.max(0, varPsi) / C);
  }
  let boot: Float64Array | undefined;
  const useMethod = method === 'auto' ? (C >= POISSON_BOOTSTRAP_FROM ? 'poisson' : 'multinomial') : method;
  if (bootstrap > 0 && useMethod === 'poisson') {
    boot = new Float64Array(bootstrap * E);
    const rng = createRng(seed);
    const totals = poissonBootstrapTotals(cols, ncol, C, bootstrap, rng, new Float64Array(bootstrap * ncol));
    for (let b = 0; b < bootstrap; b++) {
      const Tb = totals.subarray(b * ncol, (b + 1) * ncol);
      for (let e = 0; e < E; e++) boot[b * E + e] = ratioValue(estimators[e]!, Tb);
    }
  } else if (bootstrap > 0) {
    boot = new Float64Array(bootstrap * E);
    const rng = createRng(seed);
    const Tb = new Float64Array(ncol);
    for (let b = 0; b < bootstrap; b++) {
      Tb.fill(0);
      if (ncol === 7) {
        let t0 = 0;
        let t1 = 0;
        let t2 = 0;
        let t3 = 0;
        let t4 = 0;
        let t5 = 0;
        let t6 = 0;
        for (let r = 0; r < C; r++) {
          const o = Math.floor(rng.uniform() * C) * 7;
          t0 += cols[o]!;
          t1 += cols[o + 1]!;
          t2 += cols[o + 2]!;
          t3 += cols[o + 3]!;
          t4 += cols[o + 4]!;
          t5 += cols[o + 5]!;
          t6 += cols[o + 6]!;
        }
        Tb[0] = t0;
        Tb[1] = t1;
        Tb[2] = t2;
        Tb[3] = t3;
        Tb[4] = t4;
        Tb[5] = t5;
        Tb[6] = t6;
      } else {
        for (let r = 0; r < C; r++) {
          const o = Math.floor(rng.uniform() * C) * ncol;
          for (let j = 0; j < ncol; j++) Tb[j]! += cols[o + j]!;
        }
      }
      for (let e = 0; e < E; e++) boot[b * E + e] = ratioValue(estimators[e]!, Tb);
    }
  }
  const sorted = new Float64Array(bootstrap);
  for (let e = 0; e < E; e++) {
    const v = values[e]!;
    const se = ses[e]!;
    const ciNormal = [fin(v - Z975 * se), fin(v + Z975 * se)] as const;
    const base = { value: fin(v), se: fin(se), ciNormal };
    if (boot === undefined) {
      out[estimators[e]!.name] = { ...base, ci95: ciNormal };
      continue;
    }
    let m = 0;
    let s1 = 0;
    let s2 = 0;
    for (let b = 0; b < bootstrap; b++) {
      const x = boot[b * E + e]!;
      if (Number.isFinite(x)) {
        sorted[m++] = x;
        s1 += x;
        s2 += x * x;
      }
    }
    const part = sorted.subarray(0, m).sort();
    const ci = [fin(quantileSorted(part, m, 0.025)), fin(quantileSorted(part, m, 0.975))] as const;
    const sdB = m > 1 ? Math.sqrt(Math.max(0, (s2 - (s1 * s1) / m) / (m - 1))) : Number.NaN;
    out[estimators[e]!.name] = { ...base, ci95: ci, ciBootstrap: ci, seBootstrap: fin(sdB) };
  }
  return out;
}
