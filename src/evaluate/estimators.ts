/**
 * The standard off-policy estimators of a target policy's value per logged row: DM, IPW, SNIPW, DR, SNDR,
 * Switch-DR and DR with optimistic shrinkage (DRos), each with optional weight clipping, with normal and bootstrap
 * intervals and weight diagnostics.
 */
import { AllotError } from '../core/errors.js';
import {
  type BootstrapMethod,
  type Estimate,
  POISSON_BOOTSTRAP_FROM,
  type RatioEstimator,
  ratioEstimates,
} from './intervals.js';

/** The standard estimators, in report order. */
export const STANDARD_ESTIMATORS: readonly StandardEstimator[] = [
  'dm',
  'ipw',
  'snipw',
  'dr',
  'sndr',
  'switch-dr',
  'dros',
];

/** A standard estimator's name. */
export type StandardEstimator = 'dm' | 'ipw' | 'snipw' | 'dr' | 'sndr' | 'switch-dr' | 'dros';

/** Per-row inputs of the standard estimators. */
export interface OpeArrays {
  /** Observed rewards r_i. */
  readonly reward: Float64Array;
  /** Logging propensities p_i of the logged action at the logged position, in (0, 1]. */
  readonly pscore: Float64Array;
  /** Target probabilities pi_i of the logged action at the logged position, in [0, 1]. */
  readonly targetProb: Float64Array;
  /** Reward model q-hat(x_i, a_i, k_i) (needed by DM and the DR family). */
  readonly qLogged?: Float64Array;
  /** Reward model value of the target on row i, sum_a pi(a | x_i, k_i) q-hat(x_i, a, k_i). */
  readonly qTarget?: Float64Array;
  /** Cluster (impression) of each row, 0..nClusters-1, for the standard errors and the bootstrap. */
  readonly cluster?: Int32Array;
  readonly nClusters?: number;
}

/** Options of {@link estimateValues}. */
export interface EstimateOptions {
  /** Which estimators (default all seven). */
  readonly estimators?: readonly StandardEstimator[];
  /** Clip importance weights at this value (w = min(pi / p, clip)); default none. */
  readonly clip?: number;
  /** Bootstrap resamples B (default 0: normal intervals only). */
  readonly bootstrap?: number;
  /** Seed of the bootstrap (default 1). */
  readonly seed?: number;
  /** Resampling scheme (default `auto`: multinomial below 100,000 clusters, Poisson from there on). */
  readonly bootstrapMethod?: BootstrapMethod;
  /** Switch-DR threshold tau (rows with w > tau use the model only), or `auto` (default): tuned, see remarks. */
  readonly switchTau?: number | 'auto';
  /** DRos shrinkage lambda (w-hat = lambda w / (w^2 + lambda)), or `auto` (default): tuned. */
  readonly drosLambda?: number | 'auto';
}

/** Weight diagnostics. */
export interface WeightDiagnostics {
  /** Effective sample size (sum w)^2 / sum w^2 of the (clipped) weights. */
  readonly ess: number;
  /** The largest weight. */
  readonly maxWeight: number;
  /** Share of rows whose logged action has zero target probability. */
  readonly zeroSupport: number;
  /** Mean weight (1 in expectation when the target's support is inside the logger's). */
  readonly meanWeight: number;
  /** Share of rows whose weight was clipped. */
  readonly clipped: number;
}

/** The result of {@link estimateValues}. */
export interface OpeEstimates {
  readonly n: number;
  readonly estimates: Record<string, Estimate>;
  readonly diagnostics: WeightDiagnostics;
  /** Hyperparameters used: Switch-DR's tau and DRos's lambda (null = infinity). */
  readonly hyper: { readonly switchTau: number | null; readonly drosLambda: number | null };
  /** The resampling scheme used (null without resamples). */
  readonly bootstrapMethod: 'multinomial' | 'poisson' | null;
}

const COLS = 7;
const E = (j: number): readonly [number, number] => [j, 1];
const RATIO: Record<StandardEstimator, RatioEstimator> = {
  ipw: { name: 'ipw', terms: [{ num: [E(1)], den: [E(0)] }] },
  snipw: { name: 'snipw', terms: [{ num: [E(1)], den: [E(2)] }] },
  dm: { name: 'dm', terms: [{ num: [E(3)], den: [E(0)] }] },
  dr: { name: 'dr', terms: [{ num: [E(3), E(4)], den: [E(0)] }] },
  sndr: {
    name: 'sndr',
    terms: [
      { num: [E(3)], den: [E(0)] },
      { num: [E(4)], den: [E(2)] },
    ],
  },
  'switch-dr': { name: 'switch-dr', terms: [{ num: [E(3), E(5)], den: [E(0)] }] },
  dros: { name: 'dros', terms: [{ num: [E(3), E(6)], den: [E(0)] }] },
};

const LOG_2_OVER_DELTA = Math.log(2 / 0.05);

/**
 * Estimated mean squared error of a DR-type estimator with shrunk weights w-hat: its variance over n plus the
 * square of a high-probability (Bernstein) upper bound on its bias |E[(w - w-hat)(r - q)]| (delta = 0.05), the
 * criterion of OBP's hyperparameter tuning (Su et al. 2020, Section 4).
 */
function estimatedMse(w: Float64Array, what: Float64Array, res: Float64Array, qT: Float64Array): number {
  const n = w.length;
  let m1 = 0;
  let m2 = 0;
  let d1 = 0;
  let d2 = 0;
  let dmax = 0;
  for (let i = 0; i < n; i++) {
    const v = qT[i]! + what[i]! * res[i]!;
    m1 += v;
    m2 += v * v;
    const d = (w[i]! - what[i]!) * res[i]!;
    d1 += d;
    d2 += d * d;
    if (Math.abs(d) > dmax) dmax = Math.abs(d);
  }
  const variance = n > 1 ? Math.max(0, (m2 - (m1 * m1) / n) / (n - 1)) / n : 0;
  const bias =
    Math.abs(d1 / n) +
    Math.sqrt((2 * (d2 / n) * LOG_2_OVER_DELTA) / n) +
    (2 * dmax * LOG_2_OVER_DELTA) / (3 * n);
  return variance + bias * bias;
}

function switchWeights(w: Float64Array, tau: number, out: Float64Array): Float64Array {
  for (let i = 0; i < w.length; i++) out[i] = w[i]! <= tau ? w[i]! : 0;
  return out;
}

function drosWeights(w: Float64Array, lambda: number, out: Float64Array): Float64Array {
  if (lambda === Number.POSITIVE_INFINITY) out.set(w);
  else for (let i = 0; i < w.length; i++) out[i] = (lambda * w[i]!) / (w[i]! * w[i]! + lambda);
  return out;
}

function tune(
  grid: readonly number[],
  make: (h: number, out: Float64Array) => Float64Array,
  w: Float64Array,
  res: Float64Array,
  qT: Float64Array,
): number {
  const buf = new Float64Array(w.length);
  let best = Number.POSITIVE_INFINITY;
  let bestMse = Number.POSITIVE_INFINITY;
  for (const h of grid) {
    const mse = estimatedMse(w, make(h, buf), res, qT);
    if (mse < bestMse) {
      bestMse = mse;
      best = h;
    }
  }
  return best;
}

/**
 * Estimates the value of a target policy per logged row with the standard estimators.
 *
 * @remarks With w_i = min(pi_i / p_i, clip), q_i = q-hat(x_i, a_i, k_i), qpi_i = sum_a pi(a | x_i) q-hat(x_i, a):
 * - DM: mean(qpi_i); IPW: mean(w_i r_i); SNIPW: sum(w_i r_i) / sum(w_i);
 * - DR: mean(qpi_i + w_i (r_i - q_i)) (Dudik, Langford, Li 2011, eq. 2); SNDR: mean(qpi_i) + sum(w_i (r_i - q_i)) /
 *   sum(w_i);
 * - Switch-DR: mean(qpi_i + 1[w_i <= tau] w_i (r_i - q_i)) (Wang, Agarwal, Dudik 2017, eq. 3);
 * - DRos: mean(qpi_i + w-hat_i (r_i - q_i)), w-hat = lambda w / (w^2 + lambda) (Su et al. 2020, eq. 9).
 * With `auto`, tau (over weight quantiles) and lambda (over a geometric grid) minimise the estimated MSE: variance /
 * n plus the squared Bernstein upper bound of the bias at delta = 0.05, OBP's tuning criterion. Infinity (plain DR)
 * is in both grids.
 *
 * References:
 * - M. Dudik, J. Langford, L. Li, "Doubly Robust Policy Evaluation and Learning", ICML 2011, arXiv:1103.4601.
 * - Y.-X. Wang, A. Agarwal, M. Dudik, "Optimal and Adaptive Off-policy Evaluation in Contextual Bandits", ICML 2017,
 *   arXiv:1612.01205.
 * - Y. Su, M. Dimakopoulou, A. Krishnamurthy, M. Dudik, "Doubly robust off-policy evaluation with shrinkage",
 *   ICML 2020, arXiv:1907.09623.
 * - Y. Saito et al., "Open Bandit Dataset and Pipeline", NeurIPS 2021 Datasets and Benchmarks, arXiv:2008.07146.
 *
 * @param x - per-row arrays (lengths n).
 * @param opts - estimators, clipping, bootstrap, hyperparameters.
 * @returns estimates, diagnostics and the hyperparameters used.
 * @throws ALLOT_SHAPE_MISMATCH (lengths differ), ALLOT_OUT_OF_RANGE (propensity outside (0, 1], target probability
 *   outside [0, 1], clip <= 0), ALLOT_INVALID_ARGUMENT (DM/DR requested without a reward model, empty log).
 * @example
 * estimateValues({ reward: Float64Array.of(1, 0), pscore: Float64Array.of(0.5, 0.5),
 *   targetProb: Float64Array.of(1, 0) }, { estimators: ['ipw'] }).estimates.ipw.value // 1
 */
export function estimateValues(x: OpeArrays, opts: EstimateOptions = {}): OpeEstimates {
  const n = x.reward.length;
  if (n === 0) throw new AllotError('ALLOT_INVALID_ARGUMENT', 'the log has no rows');
  for (const [nm, arr] of [
    ['pscore', x.pscore],
    ['targetProb', x.targetProb],
    ['qLogged', x.qLogged],
    ['qTarget', x.qTarget],
    ['cluster', x.cluster],
  ] as const) {
    if (arr !== undefined && arr.length !== n)
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `${nm} must have one entry per row (got ${arr.length}, rows ${n})`,
      );
  }
  const names = opts.estimators ?? STANDARD_ESTIMATORS;
  const needModel = names.some((e) => e !== 'ipw' && e !== 'snipw');
  if (needModel && (x.qLogged === undefined || x.qTarget === undefined))
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `estimators ${names.filter((e) => e !== 'ipw' && e !== 'snipw').join(', ')} need a reward model (qLogged, qTarget)`,
    );
  const clip = opts.clip ?? Number.POSITIVE_INFINITY;
  if (!(clip > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `clip must be > 0 (got ${clip})`);
  const w = new Float64Array(n);
  const res = new Float64Array(n);
  const qT = x.qTarget ?? new Float64Array(n);
  const qL = x.qLogged ?? new Float64Array(n);
  let zero = 0;
  let sw = 0;
  let sw2 = 0;
  let mx = 0;
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const p = x.pscore[i]!;
    const t = x.targetProb[i]!;
    if (!(p > 0 && p <= 1))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `propensity of row ${i} must be in (0, 1] (got ${p})`);
    if (!(t >= 0 && t <= 1 + 1e-9))
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `target probability of row ${i} must be in [0, 1] (got ${t})`,
      );
    let wi = t / p;
    if (wi > clip) {
      wi = clip;
      clipped++;
    }
    w[i] = wi;
    if (t === 0) zero++;
    sw += wi;
    sw2 += wi * wi;
    if (wi > mx) mx = wi;
    res[i] = x.reward[i]! - qL[i]!;
  }
  // Hyperparameters.
  let tau = typeof opts.switchTau === 'number' ? opts.switchTau : Number.POSITIVE_INFINITY;
  let lambda = typeof opts.drosLambda === 'number' ? opts.drosLambda : Number.POSITIVE_INFINITY;
  if (names.includes('switch-dr') && (opts.switchTau === undefined || opts.switchTau === 'auto')) {
    const sorted = Float64Array.from(w).sort();
    const grid = [0.5, 0.75, 0.9, 0.95, 0.99, 0.999].map((q) => sorted[Math.min(n - 1, Math.floor(q * n))]!);
    grid.push(Number.POSITIVE_INFINITY);
    tau = tune([...new Set(grid)], (h, out) => switchWeights(w, h, out), w, res, qT);
  }
  if (names.includes('dros') && (opts.drosLambda === undefined || opts.drosLambda === 'auto')) {
    const grid: number[] = [];
    const scale = Math.max(mx * mx, 1e-12);
    for (let e = -6; e <= 2; e += 0.5) grid.push(scale * 10 ** e);
    grid.push(Number.POSITIVE_INFINITY);
    lambda = tune(grid, (h, out) => drosWeights(w, h, out), w, res, qT);
  }
  if (!(tau >= 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `switchTau must be >= 0 (got ${tau})`);
  if (!(lambda >= 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `drosLambda must be >= 0 (got ${lambda})`);
  // Cluster totals of the seven columns.
  const C = x.cluster ? (x.nClusters ?? 0) : n;
  const cols = new Float64Array(C * COLS);
  for (let i = 0; i < n; i++) {
    const c = x.cluster ? x.cluster[i]! : i;
    if (!(c >= 0 && c < C))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `cluster of row ${i} must be in [0, ${C}) (got ${c})`);
    const o = c * COLS;
    const wi = w[i]!;
    const ri = res[i]!;
    const wd = lambda === Number.POSITIVE_INFINITY ? wi : (lambda * wi) / (wi * wi + lambda);
    cols[o]! += 1;
    cols[o + 1]! += wi * x.reward[i]!;
    cols[o + 2]! += wi;
    cols[o + 3]! += qT[i]!;
    cols[o + 4]! += wi * ri;
    cols[o + 5]! += wi <= tau ? wi * ri : 0;
    cols[o + 6]! += wd * ri;
  }
  const estimates = ratioEstimates(
    cols,
    COLS,
    C,
    names.map((e) => RATIO[e]),
    opts.bootstrap ?? 0,
    opts.seed ?? 1,
    opts.bootstrapMethod ?? 'auto',
  );
  const method = opts.bootstrapMethod ?? 'auto';
  return {
    n,
    estimates,
    diagnostics: {
      ess: sw2 > 0 ? (sw * sw) / sw2 : 0,
      maxWeight: mx,
      zeroSupport: zero / n,
      meanWeight: sw / n,
      clipped: clipped / n,
    },
    hyper: {
      switchTau: Number.isFinite(tau) ? tau : null,
      drosLambda: Number.isFinite(lambda) ? lambda : null,
    },
    bootstrapMethod:
      (opts.bootstrap ?? 0) === 0
        ? null
        : method === 'auto'
          ? C >= POISSON_BOOTSTRAP_FROM
            ? 'poisson'
            : 'multinomial'
          : method,
  };
}
