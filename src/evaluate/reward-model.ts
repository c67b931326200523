/**
 * The reward model of the direct-method and doubly robust estimators: a ridge-regularised linear or logistic
 * regression of the reward on (context features, per-action features, one-hot action, one-hot position), fitted
 * with K-fold cross-fitting so that no row's prediction comes from a model that saw it.
 */
import { AllotError } from '../core/errors.js';
import { choleskyInPlace, choleskySolve } from '../core/linalg.js';
import { createRng } from '../core/rng.js';
import type { BanditLog } from './log.js';

/** Options of {@link fitRewardModel}. */
export interface RewardModelOptions {
  /** `logistic` for rewards in {0, 1}, `linear` otherwise; `auto` (default) picks by the rewards. */
  readonly kind?: 'auto' | 'linear' | 'logistic';
  /** Cross-fitting folds K (default 3; 1 = fit and predict in sample). Folds are drawn over impressions. */
  readonly folds?: number;
  /** Ridge penalty lambda on every coefficient but the intercept (default 1). */
  readonly l2?: number;
  /** Seed of the fold assignment (default 1). */
  readonly seed?: number;
}

/** The cross-fitted predictions the estimators need. */
export interface RewardModelFit {
  /** q-hat(x_i, a_i, k_i): the prediction for the logged action at the logged position. */
  readonly qLogged: Float64Array;
  /** sum_a pi(a | x_i, k_i) q-hat(x_i, a, k_i): the model's value of the target policy on row i. */
  readonly qTarget: Float64Array;
  readonly kind: 'linear' | 'logistic';
  readonly folds: number;
  readonly l2: number;
  /** Number of coefficients. */
  readonly dim: number;
}

interface Layout {
  readonly dc: number;
  readonly da: number;
  readonly K: number;
  readonly L: number;
  readonly dim: number;
  readonly offAct: number;
  readonly offOne: number;
  readonly offPos: number;
}

function layout(log: BanditLog): Layout {
  const dc = log.context?.dim ?? 0;
  const da = log.actionContext?.dim ?? 0;
  const K = log.actions.length;
  const L = log.nPositions > 1 ? log.nPositions : 0;
  const offAct = 1 + dc;
  const offOne = offAct + da;
  const offPos = offOne + K;
  return { dc, da, K, L, dim: offPos + L, offAct, offOne, offPos };
}

/** Sparse features of (row i, action a, position k): writes indices and values, returns the count. */
function features(
  log: BanditLog,
  ly: Layout,
  i: number,
  a: number,
  k: number,
  idx: Int32Array,
  val: Float64Array,
): number {
  let m = 0;
  idx[m] = 0;
  val[m++] = 1;
  if (ly.dc > 0) {
    const x = log.context!.data;
    for (let j = 0; j < ly.dc; j++) {
      const v = x[i * ly.dc + j]!;
      if (v !== 0) {
        idx[m] = 1 + j;
        val[m++] = v;
      }
    }
  }
  if (ly.da > 0) {
    const x = log.actionContext!.data;
    const base = (i * ly.K + a) * ly.da;
    for (let j = 0; j < ly.da; j++) {
      const v = x[base + j]!;
      if (v !== 0) {
        idx[m] = ly.offAct + j;
        val[m++] = v;
      }
    }
  }
  idx[m] = ly.offOne + a;
  val[m++] = 1;
  if (ly.L > 0) {
    idx[m] = ly.offPos + k;
    val[m++] = 1;
  }
  return m;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Fits ridge-regularised regression on the rows where `train[i]` is 1 (Newton's method; for the linear kind one
 * Newton step is the exact ridge solution).
 *
 * @returns the coefficients.
 * @throws ALLOT_NOT_CONVERGED when Newton's method does not converge in 100 steps.
 */
function fit(log: BanditLog, ly: Layout, train: Uint8Array, logistic: boolean, l2: number): Float64Array {
  const d = ly.dim;
  const beta = new Float64Array(d);
  const H = new Float64Array(d * d);
  const Lf = new Float64Array(d * d);
  const g = new Float64Array(d);
  const step = new Float64Array(d);
  const maxNnz = 3 + ly.dc + ly.da;
  const idx = new Int32Array(maxNnz);
  const val = new Float64Array(maxNnz);
  for (let iter = 0; iter < 100; iter++) {
    H.fill(0);
    g.fill(0);
    for (let i = 0; i < log.n; i++) {
      if (!train[i]) continue;
      const m = features(log, ly, i, log.action[i]!, log.position[i]!, idx, val);
      let eta = 0;
      for (let j = 0; j < m; j++) eta += beta[idx[j]!]! * val[j]!;
      const p = logistic ? sigmoid(eta) : eta;
      const w = logistic ? Math.max(p * (1 - p), 1e-12) : 1;
      const res = log.reward[i]! - p;
      for (let j = 0; j < m; j++) {
        const vj = val[j]!;
        const rj = idx[j]! * d;
        g[idx[j]!]! += res * vj;
        const wv = w * vj;
        for (let l = 0; l < m; l++) H[rj + idx[l]!]! += wv * val[l]!;
      }
    }
    for (let j = 0; j < d; j++) {
      // A light penalty on the intercept too: with no positive (or no negative) reward in a fold its MLE is infinite.
      const pen = j === 0 ? 1e-4 : l2;
      H[j * d + j]! += pen;
      g[j]! -= pen * beta[j]!;
    }
    if (!choleskyInPlace(d, H, Lf))
      throw new AllotError(
        'ALLOT_NOT_POSITIVE_DEFINITE',
        `reward model: the Hessian of order ${d} is not positive definite`,
      );
    choleskySolve(d, Lf, g, step);
    let mx = 0;
    for (let j = 0; j < d; j++) {
      beta[j]! += step[j]!;
      mx = Math.max(mx, Math.abs(step[j]!));
    }
    if (!logistic || mx < 1e-9) return beta;
  }
  throw new AllotError(
    'ALLOT_NOT_CONVERGED',
    'reward model: logistic regression did not converge in 100 Newton steps',
  );
}

/**
 * Fits the reward model with K-fold cross-fitting and predicts, for every row, the logged action's reward and the
 * target policy's model value.
 *
 * @remarks Model: E[r | x, a, k] = g(beta' phi(x, a, k)) with phi = (1, context features, action features,
 *   one-hot action, one-hot position) and g the identity (linear) or the logistic function, fitted by penalised
 *   likelihood with penalty (lambda / 2) |beta_{-0}|^2 (and 1e-4 / 2 beta_0^2, so that a fold without a positive reward
 *   keeps a finite intercept). Cross-fitting as in Chernozhukov et al. (2018) and OBP's
 *   `RegressionModel.fit_predict(n_folds=K)`.
 *
 * References: V. Chernozhukov et al., "Double/debiased machine learning for treatment and structural parameters",
 * Econometrics Journal 21(1), 2018, doi:10.1111/ectj.12097.
 *
 * @param log - the logged feedback.
 * @param targetProb - the target's action probabilities per row (n x K), from a {@link TargetDistribution}.
 * @param opts - model kind, folds, penalty, seed.
 * @returns the predictions.
 * @throws ALLOT_INVALID_ARGUMENT (folds < 1 or more folds than impressions), ALLOT_NOT_CONVERGED.
 */
export function fitRewardModel(
  log: BanditLog,
  targetProb: Float64Array,
  opts: RewardModelOptions = {},
): RewardModelFit {
  const folds = opts.folds ?? 3;
  const l2 = opts.l2 ?? 1;
  if (!(Number.isInteger(folds) && folds >= 1))
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `folds must be an integer >= 1 (got ${folds})`);
  if (folds > log.nImpressions)
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `folds (${folds}) must not exceed the impressions (${log.nImpressions})`,
    );
  if (!(l2 > 0 && Number.isFinite(l2)))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `l2 must be > 0 (got ${l2})`);
  let binary = true;
  for (let i = 0; i < log.n && binary; i++) if (log.reward[i] !== 0 && log.reward[i] !== 1) binary = false;
  const kind = opts.kind === undefined || opts.kind === 'auto' ? (binary ? 'logistic' : 'linear') : opts.kind;
  const logistic = kind === 'logistic';
  const ly = layout(log);
  const K = ly.K;
  // Fold of each impression: a seeded random permutation, dealt round-robin.
  const foldOf = new Int32Array(log.nImpressions);
  const perm = Int32Array.from({ length: log.nImpressions }, (_, j) => j);
  const rng = createRng(opts.seed ?? 1);
  for (let j = perm.length - 1; j > 0; j--) {
    const r = rng.int(j + 1);
    const t = perm[j]!;
    perm[j] = perm[r]!;
    perm[r] = t;
  }
  for (let j = 0; j < perm.length; j++) foldOf[perm[j]!] = folds === 1 ? 0 : j % folds;
  const qLogged = new Float64Array(log.n);
  const qTarget = new Float64Array(log.n);
  const train = new Uint8Array(log.n);
  const maxNnz = 3 + ly.dc + ly.da;
  const idx = new Int32Array(maxNnz);
  const val = new Float64Array(maxNnz);
  for (let f = 0; f < folds; f++) {
    for (let i = 0; i < log.n; i++) train[i] = folds === 1 || foldOf[log.impression[i]!] !== f ? 1 : 0;
    const beta = fit(log, ly, train, logistic, l2);
    for (let i = 0; i < log.n; i++) {
      if (folds > 1 && train[i]) continue;
      const k = log.position[i]!;
      let qt = 0;
      for (let a = 0; a < K; a++) {
        const pa = targetProb[i * K + a]!;
        const logged = a === log.action[i];
        if (pa === 0 && !logged) continue;
        const m = features(log, ly, i, a, k, idx, val);
        let eta = 0;
        for (let j = 0; j < m; j++) eta += beta[idx[j]!]! * val[j]!;
        const q = logistic ? sigmoid(eta) : eta;
        qt += pa * q;
        if (logged) qLogged[i] = q;
      }
      qTarget[i] = qt;
    }
  }
  return { qLogged, qTarget, kind, folds, l2, dim: ly.dim };
}
