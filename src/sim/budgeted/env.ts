/**
 * Environments of budgeted multiple-play bandits: per arm a reward and a cost in [0, 1], Bernoulli, multinomial on
 * {0, .25, .5, .75, 1} or Beta, optionally correlated within an arm; and the seeded instance generator that stands in
 * for the MRCB paper's unpublished Appendix H.1 setting.
 */

import { betaQuantile } from '../../core/dist.js';
import { AllotError } from '../../core/errors.js';
import { createRng, type Rng } from '../../core/rng.js';
import { prepareBeta, sampleBetaPrepared, uniform53 } from '../../core/samplers.js';
import { assertInInterval, assertInteger, assertOneOf, toFiniteArray } from '../../core/validate.js';
import { BUDGETED_DISTS, type BudgetedDist } from './dists.js';

export { BUDGETED_DISTS, type BudgetedDist };
/** Support of the multinomial family. */
export const MULTINOMIAL_SUPPORT: readonly number[] = [0, 0.25, 0.5, 0.75, 1];

/** A bandit instance as plain data (structured-cloneable, JSON-friendly). */
export interface BudgetedInstance {
  readonly dist: BudgetedDist;
  /** Number of arms. */
  readonly K: number;
  /** mu_r_i, in (0, 1]. */
  readonly rewardMean: readonly number[];
  /** mu_c_i, in (0, 1]. */
  readonly costMean: readonly number[];
  /** Multinomial: per arm, probabilities of {0, .25, .5, .75, 1}. */
  readonly rewardProbs?: readonly (readonly number[])[];
  readonly costProbs?: readonly (readonly number[])[];
  /** Beta: per-arm shape parameters. */
  readonly rewardAlpha?: readonly number[];
  readonly rewardBeta?: readonly number[];
  readonly costAlpha?: readonly number[];
  readonly costBeta?: readonly number[];
  /**
   * Coupling of reward and cost within an arm, rho in [-1, 1] (default 0, independent): with probability |rho| the
   * cost's uniform is the reward's uniform u (rho > 0) or 1 - u (rho < 0), else independent; both draws are inverse
   * CDFs of their uniforms, so the marginals are exact.
   */
  readonly correlation: number;
}

/** Options of {@link generateBudgetedInstance}. */
export interface BudgetedInstanceOptions {
  readonly dist: BudgetedDist;
  /** Arms, integer >= 1. */
  readonly K: number;
  /** Instance seed (integer >= 0): the same seed gives the same instance. */
  readonly seed: number;
  /** Reward/cost coupling rho in [-1, 1] (default 0). */
  readonly correlation?: number;
}

/** Smallest mean cost the generator keeps (arms below are redrawn; notes section 5). */
export const MIN_COST_MEAN = 0.01;

function dirichletOnes(n: number, rng: Rng): number[] {
  const p: number[] = new Array(n);
  let s = 0;
  for (let k = 0; k < n; k++) {
    const e = -Math.log(1 - rng.uniform());
    p[k] = e;
    s += e;
  }
  for (let k = 0; k < n; k++) p[k] = p[k]! / s;
  return p;
}

function multinomialMean(p: readonly number[]): number {
  let m = 0;
  for (let k = 0; k < p.length; k++) m += p[k]! * MULTINOMIAL_SUPPORT[k]!;
  return m;
}

/**
 * Draws a bandit instance from its family's prior, seeded.
 *
 * @remarks
 * The MRCB paper's Appendix H.1 is unpublished, so this is the substitute of the notes (section 5), an assumption:
 * multinomial arms have reward and cost probability vectors on {0, .25, .5, .75, 1} drawn from Dirichlet(1, ..., 1);
 * Beta arms have `alpha, beta ~ U(0.1, 5)` for reward and cost; Bernoulli arms have means `~ U(0, 1)`. An arm whose
 * mean cost is below 0.01 (or mean reward below 1e-6) is redrawn.
 *
 * @param options - family, K, seed, correlation.
 * @returns the instance.
 * @throws ALLOT_UNKNOWN_OPTION for an unknown family; ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT for bad K, seed
 *   or correlation.
 */
export function generateBudgetedInstance(options: BudgetedInstanceOptions): BudgetedInstance {
  const dist = assertOneOf('dist', options.dist, BUDGETED_DISTS);
  assertInteger('K', options.K, 1, 1_000_000);
  assertInteger('seed', options.seed, 0);
  const correlation = options.correlation ?? 0;
  assertInInterval('correlation', correlation, -1, 1);
  const K = options.K;
  const rng = createRng(options.seed);
  const rewardMean: number[] = [];
  const costMean: number[] = [];
  if (dist === 'multinomial') {
    const rewardProbs: number[][] = [];
    const costProbs: number[][] = [];
    for (let i = 0; i < K; i++) {
      let pr = dirichletOnes(5, rng);
      while (multinomialMean(pr) < 1e-6) pr = dirichletOnes(5, rng);
      let pc = dirichletOnes(5, rng);
      while (multinomialMean(pc) < MIN_COST_MEAN) pc = dirichletOnes(5, rng);
      rewardProbs.push(pr);
      costProbs.push(pc);
      rewardMean.push(multinomialMean(pr));
      costMean.push(multinomialMean(pc));
    }
    return { dist, K, rewardMean, costMean, rewardProbs, costProbs, correlation };
  }
  if (dist === 'beta') {
    const ra: number[] = [];
    const rb: number[] = [];
    const ca: number[] = [];
    const cb: number[] = [];
    const u = (): number => 0.1 + 4.9 * rng.uniform();
    for (let i = 0; i < K; i++) {
      const a1 = u();
      const b1 = u();
      let a2 = u();
      let b2 = u();
      while (a2 / (a2 + b2) < MIN_COST_MEAN) {
        a2 = u();
        b2 = u();
      }
      ra.push(a1);
      rb.push(b1);
      ca.push(a2);
      cb.push(b2);
      rewardMean.push(a1 / (a1 + b1));
      costMean.push(a2 / (a2 + b2));
    }
    return {
      dist,
      K,
      rewardMean,
      costMean,
      rewardAlpha: ra,
      rewardBeta: rb,
      costAlpha: ca,
      costBeta: cb,
      correlation,
    };
  }
  for (let i = 0; i < K; i++) {
    let r = rng.uniform();
    while (r < 1e-6) r = rng.uniform();
    let c = rng.uniform();
    while (c < MIN_COST_MEAN) c = rng.uniform();
    rewardMean.push(r);
    costMean.push(c);
  }
  return { dist, K, rewardMean, costMean, correlation };
}

/**
 * A Bernoulli instance from given means (an ads engineer's click and spend rates, say).
 *
 * @param rewardMean - K values in (0, 1].
 * @param costMean - K values in (0, 1].
 * @param correlation - rho in [-1, 1] (default 0).
 * @returns the instance.
 * @throws ALLOT_SHAPE_MISMATCH, ALLOT_NOT_FINITE, ALLOT_OUT_OF_RANGE for bad means.
 */
export function createBernoulliInstance(
  rewardMean: ArrayLike<number>,
  costMean: ArrayLike<number>,
  correlation = 0,
): BudgetedInstance {
  const r = toFiniteArray('rewardMean', rewardMean, 1);
  const c = toFiniteArray('costMean', costMean, 1);
  if (r.length !== c.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `rewardMean and costMean must have the same length (got ${r.length} and ${c.length})`,
    );
  }
  for (let i = 0; i < r.length; i++) {
    assertInInterval(`rewardMean[${i}]`, r[i], 0, 1, true);
    assertInInterval(`costMean[${i}]`, c[i], 0, 1, true);
  }
  assertInInterval('correlation', correlation, -1, 1);
  return {
    dist: 'bernoulli',
    K: r.length,
    rewardMean: Array.from(r),
    costMean: Array.from(c),
    correlation,
  };
}

/** A sampler over an instance, built once per run. */
export interface BudgetedEnv {
  readonly K: number;
  readonly rewardMean: Float64Array;
  readonly costMean: Float64Array;
  /** Draws arm i's reward and cost into out[0], out[1]. */
  sample(arm: number, rng: Rng, out: Float64Array): void;
}

const DIST_CODE: Readonly<Record<BudgetedDist, number>> = { bernoulli: 0, multinomial: 1, beta: 2 };

/**
 * Builds the sampler of an instance (precomputed cumulative probabilities, typed arrays; no allocation per draw).
 *
 * @param instance - from {@link generateBudgetedInstance} or {@link createBernoulliInstance}.
 * @returns the sampler.
 * @throws ALLOT_INVALID_CONFIG when the family's parameters are missing.
 */
export function createBudgetedEnv(instance: BudgetedInstance): BudgetedEnv {
  const K = instance.K;
  const code = DIST_CODE[instance.dist];
  const rho = instance.correlation;
  const rewardMean = Float64Array.from(instance.rewardMean);
  const costMean = Float64Array.from(instance.costMean);
  const cumR = new Float64Array(5 * K);
  const cumC = new Float64Array(5 * K);
  const pa = new Float64Array(K);
  const pb = new Float64Array(K);
  const qa = new Float64Array(K);
  const qb = new Float64Array(K);
  // Marsaglia–Tsang constants of the Beta laws, prepared once (sampleBetaPrepared: the same draws as sampleBeta).
  const prepR = new Float64Array(code === 2 ? 4 * K : 0);
  const prepC = new Float64Array(code === 2 ? 4 * K : 0);
  if (code === 1) {
    const pr = instance.rewardProbs;
    const pc = instance.costProbs;
    if (pr === undefined || pc === undefined || pr.length !== K || pc.length !== K) {
      throw new AllotError('ALLOT_INVALID_CONFIG', 'a multinomial instance needs rewardProbs and costProbs');
    }
    for (let i = 0; i < K; i++) {
      let sr = 0;
      let sc = 0;
      for (let k = 0; k < 5; k++) {
        sr += pr[i]![k]!;
        sc += pc[i]![k]!;
        cumR[5 * i + k] = sr;
        cumC[5 * i + k] = sc;
      }
      cumR[5 * i + 4] = Infinity;
      cumC[5 * i + 4] = Infinity;
    }
  } else if (code === 2) {
    const { rewardAlpha, rewardBeta, costAlpha, costBeta } = instance;
    if (!rewardAlpha || !rewardBeta || !costAlpha || !costBeta) {
      throw new AllotError(
        'ALLOT_INVALID_CONFIG',
        'a beta instance needs alpha and beta for reward and cost',
      );
    }
    pa.set(rewardAlpha);
    pb.set(rewardBeta);
    qa.set(costAlpha);
    qb.set(costBeta);
    prepareBeta(K, pa, pb, prepR);
    prepareBeta(K, qa, qb, prepC);
  }
  const absRho = Math.abs(rho);
  return {
    K,
    rewardMean,
    costMean,
    sample(i: number, rng: Rng, out: Float64Array): void {
      if (absRho === 0 && code === 2) {
        out[0] = sampleBetaPrepared(rng, pa[i]!, pb[i]!, prepR, i);
        out[1] = sampleBetaPrepared(rng, qa[i]!, qb[i]!, prepC, i);
        return;
      }
      const ur = uniform53(rng);
      let uc: number;
      if (absRho > 0 && uniform53(rng) < absRho) uc = rho > 0 ? ur : 1 - ur;
      else uc = uniform53(rng);
      if (code === 0) {
        out[0] = ur < rewardMean[i]! ? 1 : 0;
        out[1] = uc < costMean[i]! ? 1 : 0;
      } else if (code === 1) {
        // The inverse CDF: the number of cumulative probabilities <= u (they are nondecreasing, the last is
        // +Infinity), the same k as walking up to the first one above u. Counted without branches: in a
        // micro-benchmark the walk, whose exit at a random k the processor cannot predict, took twice as long.
        const o = 5 * i;
        out[0] =
          (Number(ur >= cumR[o]!) +
            Number(ur >= cumR[o + 1]!) +
            Number(ur >= cumR[o + 2]!) +
            Number(ur >= cumR[o + 3]!)) *
          0.25;
        out[1] =
          (Number(uc >= cumC[o]!) +
            Number(uc >= cumC[o + 1]!) +
            Number(uc >= cumC[o + 2]!) +
            Number(uc >= cumC[o + 3]!)) *
          0.25;
      } else {
        out[0] = betaQuantile(ur, pa[i]!, pb[i]!);
        out[1] = betaQuantile(uc, qa[i]!, qb[i]!);
      }
    },
  };
}
