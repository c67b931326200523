/**
 * Position bias of a logged click stream (one row per (impression, position)): CTR, EM or probit point estimates
 * normalised to q̂_1 = 1, with seeded percentile-bootstrap intervals and Wilson intervals of each position's CTR.
 *
 * @remarks
 * Under a uniformly random logging policy (the Open Bandit Dataset's "random" logs) every item is equally likely at
 * every position, so ρ_ℓ = q_ℓ·E[γ] and q̂_ℓ = ρ_ℓ/ρ_1 is unbiased for q_ℓ/q_1; EM (one γ per item) and the probit
 * ratio estimate the same quantity. Only ratios are identified from clicks alone (q·γ is what is observed), so every
 * method reports q̂_ℓ/q̂_1, the paper's normalisation for CTR and PR. Intervals: percentile bootstrap over log rows
 * (B resamples, seeded) for q̂; Wilson score intervals for the per-position CTR.
 *
 * Under a non-uniform logging policy the items at the top differ from those below, and CTR per position is biased.
 * With the logged propensities p_i (the probability that the logging policy put item i at its position), each row
 * gets the weight w_i = 1/p_i: CTR becomes the self-normalised weighted mean Σ w c / Σ w per position, EM's M-steps
 * weighted means, and the probit's averages weighted sums. For a uniform policy the weights are constant and the
 * estimates equal the unweighted ones. The weighted estimates rest on the effective sample size
 * (Σw)²/Σw² per position, which is reported.
 *
 * References:
 * - B. Ermis et al., arXiv:2004.13106, §4. X. Wang et al., WSDM 2018. T. Graepel et al., ICML 2010.
 * - E. B. Wilson, "Probable inference, the law of succession, and statistical inference", JASA 22(158), 1927.
 * - B. Efron, R. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall, 1993 (percentile intervals).
 */
import { normalQuantile } from '../../core/dist.js';
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInInterval, assertInteger, assertOneOf } from '../../core/validate.js';
import {
  ctrPositionBias,
  emPositionBias,
  PROBIT_MODELS,
  type ProbitModel,
  probitPositionBias,
} from './position-bias.js';

/** A click log in columnar form. */
export interface ClickLog {
  /** Number of positions L. */
  readonly positions: number;
  /** 0-based position of each row. */
  readonly position: Int32Array;
  /** Click (0/1) of each row. */
  readonly click: Float64Array;
  /** Item index of each row (0-based). */
  readonly item: Int32Array;
  /** Number of items. */
  readonly items: number;
  /** rows*dim row-major features for the probit estimator (may be empty when dim = 0). */
  readonly features: Float64Array;
  readonly dim: number;
  /** Optional weight per row, 1/propensity of the logged placement (absent: unweighted). */
  readonly weight?: Float64Array;
}

/** Estimators available for logs. */
export type LogBiasMethod = 'ctr' | 'em' | 'probit';

/** The accepted log methods. */
export const LOG_BIAS_METHODS: readonly LogBiasMethod[] = ['ctr', 'em', 'probit'];

/** One position of a {@link LogBiasResult}. */
export interface LogBiasPosition {
  /** 1-based position. */
  readonly position: number;
  /** q̂_ℓ/q̂_1. */
  readonly q: number;
  /** Bootstrap interval of q. */
  readonly lower: number;
  readonly upper: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly ctr: number;
  /** Wilson interval of the CTR. */
  readonly ctrLower: number;
  readonly ctrUpper: number;
}

/** Output of {@link estimateLogPositionBias}. */
export interface LogBiasResult {
  readonly method: LogBiasMethod;
  readonly rows: number;
  readonly positions: number;
  /** q̂ normalised to q̂_1 = 1. */
  readonly q: number[];
  /** The estimator's raw q̂ before normalisation (EM's absolute level is not identified). */
  readonly qRaw: number[];
  readonly normalisation: string;
  readonly interval: {
    readonly method: string;
    readonly level: number;
    readonly resamples: number;
    readonly resamplesUsed: number;
    readonly seed: number | null;
  };
  readonly ctrInterval: string;
  readonly byPosition: LogBiasPosition[];
  /** EM only: iterations and convergence of the full-data fit. */
  readonly em?: { readonly iterations: number; readonly converged: boolean; readonly logLikelihood: number };
  /** Weighting by inverse propensities: null when the log is unweighted. */
  readonly weighting: {
    readonly scheme: string;
    readonly minWeight: number;
    readonly maxWeight: number;
    /** Kish effective sample size (Σw)²/Σw² per position. */
    readonly effectiveSampleSize: number[];
  } | null;
  /** Why the data may not support the estimate (empty when nothing was found). */
  readonly warnings: string[];
}

/** Options of {@link estimateLogPositionBias}. */
export interface LogBiasOptions {
  readonly method: LogBiasMethod;
  /** Bootstrap resamples B (default 200; 0 = no intervals). */
  readonly resamples?: number;
  /** Interval level in (0, 1) (default 0.95). */
  readonly level?: number;
  /** Seed recorded in the output (the rng is what draws). */
  readonly seed?: number;
  /** Probit β (default 1) and model (default 'shared'). */
  readonly probitBeta?: number;
  readonly probitModel?: ProbitModel;
}

/** Documented maxima of a log estimate (checked before any work). */
export const LOG_BIAS_LIMITS: { readonly positions: number; readonly resamples: number } = {
  positions: 1000,
  resamples: 100_000,
};

/**
 * Wilson score interval of a binomial proportion.
 *
 * @param successes - k >= 0.
 * @param trials - n >= k.
 * @param level - confidence level in (0, 1).
 * @returns [lower, upper] ([0, 1] when n = 0).
 * @example
 * ```ts
 * wilsonInterval(0, 10, 0.95); // [0, 0.2775327998628899]
 * ```
 */
export function wilsonInterval(successes: number, trials: number, level: number): [number, number] {
  if (trials <= 0) return [0, 1];
  const z = normalQuantile(0.5 + level / 2);
  const p = successes / trials;
  const z2 = (z * z) / trials;
  const centre = (p + z2 / 2) / (1 + z2);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / (1 + z2);
  // the bounds are exactly 0 (no successes) and 1 (all successes); avoid rounding residue there
  return [
    successes === 0 ? 0 : Math.max(0, centre - half),
    successes === trials ? 1 : Math.min(1, centre + half),
  ];
}

interface PointEstimate {
  raw: Float64Array;
  gamma?: Float64Array;
  em?: { iterations: number; converged: boolean; logLikelihood: number };
}

function pointEstimate(
  log: ClickLog,
  method: LogBiasMethod,
  rows: Int32Array | null,
  warm: PointEstimate | null,
  probit: { beta: number; model: ProbitModel },
): PointEstimate | null {
  const n = rows === null ? log.position.length : rows.length;
  const pos = rows === null ? log.position : new Int32Array(n);
  const clk = rows === null ? log.click : new Float64Array(n);
  const itm = rows === null ? log.item : new Int32Array(n);
  const lw = log.weight;
  const wts = lw === undefined ? undefined : rows === null ? lw : new Float64Array(n);
  let feats = log.features;
  if (rows !== null) {
    feats = method === 'probit' ? new Float64Array(n * log.dim) : feats;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      pos[i] = log.position[r]!;
      clk[i] = log.click[r]!;
      itm[i] = log.item[r]!;
      if (wts !== undefined) wts[i] = lw![r]!;
      if (method === 'probit') feats.set(log.features.subarray(r * log.dim, (r + 1) * log.dim), i * log.dim);
    }
  }
  const L = log.positions;
  if (method === 'ctr') {
    const c = ctrPositionBias(pos, clk, L, wts);
    return c.ctr[0]! > 0 ? { raw: c.ctr } : null;
  }
  if (method === 'em') {
    // Bootstrap refits start from the full-data fit (warm start) and use a looser stopping rule.
    const r = emPositionBias(pos, clk, L, {
      items: itm,
      nItems: log.items,
      maxIterations: rows === null ? 5000 : 1000,
      tol: rows === null ? 1e-7 : 1e-6,
      ...(wts === undefined ? {} : { weights: wts }),
      ...(warm === null
        ? {}
        : { init: warm.raw, ...(warm.gamma === undefined ? {} : { initGamma: warm.gamma }) }),
    });
    return r.q[0]! > 0
      ? {
          raw: r.q,
          ...(r.gamma === null ? {} : { gamma: r.gamma }),
          em: { iterations: r.iterations, converged: r.converged, logLikelihood: r.logLikelihood },
        }
      : null;
  }
  const q = probitPositionBias(feats, log.dim, pos, clk, L, {
    beta: probit.beta,
    model: probit.model,
    ...(wts === undefined ? {} : { weights: wts }),
  }).q;
  return q[0]! > 0 ? { raw: q } : null;
}

function quantileSorted(xs: Float64Array, p: number): number {
  const h = (xs.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
}

/**
 * Estimates the position bias of a click log with intervals.
 *
 * @param log - the log (validated: positions in range, clicks 0/1, finite features).
 * @param options - method, bootstrap resamples, level.
 * @param rng - randomness of the bootstrap.
 * @returns q̂ normalised to q̂_1 = 1, raw q̂, per-position counts, CTR, Wilson and bootstrap intervals.
 * @throws ALLOT_UNKNOWN_OPTION for an unknown method; ALLOT_DEGENERATE when position 1 has no click.
 */
export function estimateLogPositionBias(log: ClickLog, options: LogBiasOptions, rng: Rng): LogBiasResult {
  const method = assertOneOf('method', options.method, LOG_BIAS_METHODS);
  const B = options.resamples ?? 200;
  const level = options.level ?? 0.95;
  assertInteger('resamples', B, 0, LOG_BIAS_LIMITS.resamples);
  assertInInterval('level', level, 0, 1, true, true);
  const probit = {
    beta: options.probitBeta ?? 1,
    model: assertOneOf('probit model', options.probitModel ?? 'shared', PROBIT_MODELS),
  };
  const L = log.positions;
  assertInteger('positions', L, 1, LOG_BIAS_LIMITS.positions);
  const n = log.position.length;
  const full = pointEstimate(log, method, null, null, probit);
  if (full === null) {
    throw new AllotError(
      'ALLOT_DEGENERATE',
      'position 1 has no clicks in the log, so q_l / q_1 is undefined',
    );
  }
  const norm = (raw: Float64Array): Float64Array => {
    const out = new Float64Array(L);
    for (let l = 0; l < L; l++) out[l] = raw[l]! / raw[0]!;
    return out;
  };
  const q = norm(full.raw);
  const boots: Float64Array[] = [];
  for (let l = 0; l < L; l++) boots.push(new Float64Array(B));
  let used = 0;
  const rows = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) rows[i] = rng.int(n);
    const est = pointEstimate(log, method, rows, full, probit);
    if (est === null) continue;
    const qb = norm(est.raw);
    for (let l = 0; l < L; l++) boots[l]![used] = qb[l]!;
    used++;
  }
  const ctr = ctrPositionBias(log.position, log.click, L);
  const a = (1 - level) / 2;
  const byPosition: LogBiasPosition[] = [];
  for (let l = 0; l < L; l++) {
    const s = boots[l]!.subarray(0, used).sort();
    const [cl, cu] = wilsonInterval(ctr.clicks[l]!, ctr.impressions[l]!, level);
    byPosition.push({
      position: l + 1,
      q: q[l]!,
      lower: used > 1 ? quantileSorted(s, a) : Number.NaN,
      upper: used > 1 ? quantileSorted(s, 1 - a) : Number.NaN,
      impressions: ctr.impressions[l]!,
      clicks: ctr.clicks[l]!,
      ctr: ctr.ctr[l]!,
      ctrLower: cl,
      ctrUpper: cu,
    });
  }
  const weighting = log.weight === undefined ? null : weightSummary(log);
  const warnings = logWarnings(byPosition, level, B, used, weighting);
  return {
    method,
    rows: n,
    positions: L,
    q: Array.from(q),
    qRaw: Array.from(full.raw),
    normalisation: 'q_l / q_1 (position 1 set to 1, as the paper does for CTR and PR)',
    interval: {
      method: 'percentile bootstrap over log rows',
      level,
      resamples: B,
      resamplesUsed: used,
      seed: options.seed ?? null,
    },
    ctrInterval: 'Wilson score',
    byPosition,
    ...(full.em === undefined ? {} : { em: full.em }),
    weighting,
    warnings,
  };
}

function weightSummary(log: ClickLog): NonNullable<LogBiasResult['weighting']> {
  const w = log.weight!;
  const L = log.positions;
  const s1 = new Float64Array(L);
  const s2 = new Float64Array(L);
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    const l = log.position[i]!;
    s1[l]! += v;
    s2[l]! += v * v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return {
    scheme: 'inverse propensity, self-normalised per position',
    minWeight: lo,
    maxWeight: hi,
    effectiveSampleSize: Array.from(s1, (v, l) => (s2[l]! > 0 ? (v * v) / s2[l]! : 0)),
  };
}

/** Minimum clicks per position below which a warning is given. */
const FEW_CLICKS = 30;

function logWarnings(
  byPosition: readonly LogBiasPosition[],
  level: number,
  resamples: number,
  used: number,
  weighting: LogBiasResult['weighting'],
): string[] {
  const out: string[] = [];
  const few = byPosition.filter((p) => p.clicks < FEW_CLICKS);
  if (few.length > 0) {
    out.push(
      `only ${few.map((p) => `${p.clicks} click${p.clicks === 1 ? '' : 's'} at position ${p.position}`).join(', ')} ` +
        `(fewer than ${FEW_CLICKS}): the estimate rests on very few events`,
    );
  }
  for (const p of byPosition) {
    if (p.position === 1 || resamples === 0) continue;
    if (!(Number.isFinite(p.lower) && Number.isFinite(p.upper)) || !(p.lower > 0) || p.upper / p.lower > 10) {
      out.push(
        `position ${p.position}: the ${Math.round(level * 100)}% interval [${fmtNum(p.lower)}, ${fmtNum(p.upper)}] ` +
          'spans more than a factor of 10, so the data cannot pin q down there',
      );
    }
  }
  if (resamples > 0 && used < 0.9 * resamples) {
    out.push(
      `${resamples - used} of ${resamples} bootstrap resamples had no click at position 1 and were dropped: the interval is optimistic`,
    );
  }
  if (weighting !== null) {
    const ess = weighting.effectiveSampleSize;
    const low = ess.map((e, l) => ({ e, l })).filter(({ e }) => e < 100);
    if (low.length > 0) {
      out.push(
        `the propensity weights leave an effective sample size of ${low.map(({ e, l }) => `${fmtNum(e)} at position ${l + 1}`).join(', ')}: the weighted estimate is dominated by a few rows`,
      );
    }
  }
  return out;
}

function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)
    ? x.toExponential(2)
    : String(Number(x.toFixed(3)));
}
