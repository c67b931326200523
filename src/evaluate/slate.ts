/**
 * Slate (ranking) estimators over impressions: independent IPS (position-based: each slot weighted by its own
 * marginal ratio), standard slate IPS (the whole observed slate's probability ratio) and the pseudo-inverse
 * estimator (Swaminathan et al. 2017), which needs the logging policy's slate distribution (known here for a uniform
 * logger: a uniformly random ordering of the candidates).
 */
import { AllotError } from '../core/errors.js';
import { type BootstrapMethod, type Estimate, ratioEstimates } from './intervals.js';
import type { BanditLog } from './log.js';
import type { ImpressionIndex, TargetDistribution } from './policies.js';

/** A slate estimator's name. */
export type SlateEstimator = 'independent' | 'standard' | 'pi';

/** The slate estimators. */
export const SLATE_ESTIMATORS: readonly SlateEstimator[] = ['independent', 'standard', 'pi'];

/** A slate estimate with the diagnostics of its slate weights. */
export interface SlateResult {
  readonly estimate: Estimate;
  readonly diagnostics: {
    /** Effective number of impressions (sum W)^2 / sum W^2. */
    readonly ess: number;
    readonly maxWeight: number;
    readonly minWeight: number;
    readonly impressions: number;
    /** Impressions with more than one logged slot. */
    readonly multiSlot: number;
  };
}

/** Moore–Penrose pseudo-inverse of a symmetric matrix by cyclic Jacobi rotations (eigenvalues below tol * max dropped). */
export function pinvSymmetric(n: number, a: ArrayLike<number>, tol = 1e-10): Float64Array {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! * A[p * n + q]!;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * n + p]!;
        const aqq = A[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let emax = 0;
  for (let i = 0; i < n; i++) emax = Math.max(emax, Math.abs(A[i * n + i]!));
  const out = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    const lam = A[e * n + e]!;
    if (Math.abs(lam) <= tol * emax) continue;
    const inv = 1 / lam;
    for (let i = 0; i < n; i++) {
      const vi = V[i * n + e]! * inv;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += vi * V[j * n + e]!;
    }
  }
  return out;
}

/**
 * Gamma = E_mu[1_s 1_s^T] of a uniformly random ordering of c candidates observed at m slots, indexed (slot j,
 * candidate a) -> j * c + a: 1/c on the diagonal, 0 for the same slot or the same candidate, 1/(c (c-1)) otherwise.
 */
export function uniformSlateGamma(m: number, c: number): Float64Array {
  const d = m * c;
  const G = new Float64Array(d * d);
  const off = c > 1 ? 1 / (c * (c - 1)) : 0;
  for (let j = 0; j < m; j++)
    for (let a = 0; a < c; a++)
      for (let j2 = 0; j2 < m; j2++)
        for (let a2 = 0; a2 < c; a2++) {
          const v = j === j2 ? (a === a2 ? 1 / c : 0) : a === a2 ? 0 : off;
          G[(j * c + a) * d + j2 * c + a2] = v;
        }
  return G;
}

function isUniformLog(log: BanditLog): boolean {
  for (let i = 0; i < log.n; i++) {
    const c = log.candidates ? log.candidates[log.impression[i]!]!.length : log.actions.length;
    if (Math.abs(log.pscore[i]! * c - 1) > 1e-6) return false;
  }
  return true;
}

/**
 * One slate estimator over the log's impressions; the value is per row (the sum over impressions of weight x slate
 * reward, over the number of rows), so that it compares with the standard estimators and with an on-policy click
 * rate.
 *
 * @remarks Independent IPS: sum_k (pi_k(a_k) / mu_k(a_k)) r_k (OBP `SlateIndependentIPS`, Li et al. 2018).
 *   Standard IPS: (pi(s) / mu(s)) sum_k r_k over the observed sub-slate s. Pseudo-inverse: (q_pi' Gamma^+ 1_s)
 *   sum_k r_k with Gamma = E_mu[1_s 1_s'] and q_pi = E_pi[1_s] (Swaminathan et al. 2017, eq. 4); unbiased when the
 *   slate reward is additive over slots. With one logged row per impression all three reduce to IPW.
 *
 * References:
 * - A. Swaminathan, A. Krishnamurthy, A. Agarwal, M. Dudik, J. Langford, D. Jose, I. Zitouni, "Off-policy
 *   evaluation for slate recommendation", NeurIPS 2017, arXiv:1605.04812.
 * - S. Li, Y. Abbasi-Yadkori, B. Kveton, S. Muthukrishnan, V. Vinay, Z. Wen, "Offline Evaluation of Ranking
 *   Policies with Click Models", KDD 2018, arXiv:1804.10488.
 *
 * @param log - the log.
 * @param target - the target's distribution on it.
 * @param index - rows per impression.
 * @param kind - which estimator.
 * @param opts - weight clipping, bootstrap resamples, seed.
 * @returns the estimate (clustered by impression) and weight diagnostics.
 * @throws ALLOT_INVALID_ARGUMENT when the slate probabilities the estimator needs are unknown (a non-uniform logger
 *   with multi-slot impressions, a target that only gives marginals).
 */
export function estimateSlate(
  log: BanditLog,
  target: TargetDistribution,
  index: ImpressionIndex,
  kind: SlateEstimator,
  opts: { clip?: number; bootstrap?: number; seed?: number; bootstrapMethod?: BootstrapMethod } = {},
): SlateResult {
  const K = log.actions.length;
  const C = log.nImpressions;
  const clip = opts.clip ?? Number.POSITIVE_INFINITY;
  const cols = new Float64Array(C * 2);
  const uniform = kind === 'independent' ? false : isUniformLog(log);
  const pinvCache = new Map<string, Float64Array>();
  let sw = 0;
  let sw2 = 0;
  let mx = Number.NEGATIVE_INFINITY;
  let mn = Number.POSITIVE_INFINITY;
  let multi = 0;
  for (let j = 0; j < C; j++) {
    const s0 = index.start[j]!;
    const s1 = index.start[j + 1]!;
    const rows = index.rows.subarray(s0, s1);
    const m = rows.length;
    if (m > 1) multi++;
    let R = 0;
    for (let t = 0; t < m; t++) R += log.reward[rows[t]!]!;
    let num = 0;
    let W = 0;
    if (kind === 'independent' || m === 1) {
      for (let t = 0; t < m; t++) {
        const i = rows[t]!;
        const wi = Math.min(target.prob[i * K + log.action[i]!]! / log.pscore[i]!, clip);
        num += wi * log.reward[i]!;
        W += wi / m;
      }
    } else if (kind === 'standard') {
      if (!uniform)
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `standard slate IPS needs the logging policy's slate probabilities: impression ${j} has ${m} rows and the log gives per-slot propensities only (known in closed form for a uniform logger)`,
        );
      if (!target.slateProbability)
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `standard slate IPS needs the target's slate probabilities; this policy gives per-position marginals only (impression ${j} has ${m} rows)`,
        );
      const c = log.candidates ? log.candidates[j]!.length : K;
      let mu = 1;
      for (let t = 0; t < m; t++) mu /= c - t;
      W = Math.min(target.slateProbability(rows) / mu, clip);
      num = W * R;
    } else {
      if (!uniform)
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `the pseudo-inverse estimator needs the logging policy's slate distribution: impression ${j} has ${m} rows and the logger is not uniform`,
        );
      const cand = log.candidates ? log.candidates[j]! : null;
      const c = cand ? cand.length : K;
      const key = `${m}|${c}`;
      let P = pinvCache.get(key);
      if (P === undefined) {
        P = pinvSymmetric(m * c, uniformSlateGamma(m, c));
        pinvCache.set(key, P);
      }
      const d = m * c;
      const q = new Float64Array(d);
      const sel = new Int32Array(m);
      const local = new Map<number, number>();
      if (cand) for (let u = 0; u < cand.length; u++) local.set(cand[u]!, u);
      for (let t = 0; t < m; t++) {
        const i = rows[t]!;
        for (let u = 0; u < c; u++) q[t * c + u] = target.prob[i * K + (cand ? cand[u]! : u)]!;
        sel[t] = t * c + (cand ? local.get(log.action[i]!)! : log.action[i]!);
      }
      // W = q' Gamma^+ 1_s = sum over the selected coordinates of (Gamma^+ q).
      for (let t = 0; t < m; t++) {
        const r = sel[t]! * d;
        let s = 0;
        for (let u = 0; u < d; u++) s += P[r + u]! * q[u]!;
        W += s;
      }
      W = Math.min(W, clip);
      num = W * R;
    }
    cols[2 * j] = m;
    cols[2 * j + 1] = num;
    sw += W;
    sw2 += W * W;
    if (W > mx) mx = W;
    if (W < mn) mn = W;
  }
  const name = `slate-${kind}`;
  const est = ratioEstimates(
    cols,
    2,
    C,
    [{ name, terms: [{ num: [[1, 1]], den: [[0, 1]] }] }],
    opts.bootstrap ?? 0,
    opts.seed ?? 1,
    opts.bootstrapMethod ?? 'auto',
  );
  return {
    estimate: est[name]!,
    diagnostics: {
      ess: sw2 > 0 ? (sw * sw) / sw2 : 0,
      maxWeight: mx,
      minWeight: mn,
      impressions: C,
      multiSlot: multi,
    },
  };
}
