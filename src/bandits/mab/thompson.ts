/**
 * Thompson sampling over additive arm statistics: Bernoulli rewards with Beta priors and Gaussian rewards with a
 * normal prior and known noise.
 */
import type { Rng } from '../../core/rng.js';
import { assertFinite, assertPositive } from '../../core/validate.js';
import { type ArmStats, checkAvailable } from './arm-stats.js';

/** Context of one decision: the arms available now (all when omitted). */
export interface ThompsonContext {
  readonly available?: ArrayLike<number>;
}

/** Beta(a0, b0) prior of every arm's success probability (default 1, 1: uniform). */
export interface BernoulliThompsonPrior {
  readonly a0?: number;
  readonly b0?: number;
}

/**
 * Bernoulli Thompson sampling: draws theta_a ~ Beta(a0 + S_a, b0 + n_a - S_a) per available arm and plays the
 * largest.
 *
 * @remarks
 * Rewards in [0, 1]; S_a is the reward sum (successes) and n_a the pulls. Ties (probability 0) go to the first arm.
 * References: W. R. Thompson, Biometrika 25 (1933); O. Chapelle and L. Li, "An empirical evaluation of Thompson
 * sampling", NeurIPS 2011.
 *
 * @param stats - additive statistics (sums = successes).
 * @param ctx - available arms.
 * @param rng - random source (one beta draw per available arm).
 * @param prior - a0, b0 > 0 (default 1, 1).
 * @returns the chosen arm.
 * @throws ALLOT_OUT_OF_RANGE for a non-positive prior parameter or a bad availability list.
 */
export function decideBernoulliThompson(
  stats: ArmStats,
  ctx: ThompsonContext,
  rng: Rng,
  prior: BernoulliThompsonPrior = {},
): number {
  const a0 = prior.a0 ?? 1;
  const b0 = prior.b0 ?? 1;
  assertPositive('prior.a0', a0);
  assertPositive('prior.b0', b0);
  const avail = checkAvailable(stats.k, ctx.available);
  let best = -1;
  let bestDraw = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < avail.length; j++) {
    const a = avail[j]!;
    const s = stats.sums[a]!;
    const f = Math.max(0, stats.counts[a]! - s);
    const x = rng.beta(a0 + s, b0 + f);
    if (x > bestDraw) {
      bestDraw = x;
      best = a;
    }
  }
  return best;
}

/** Normal prior N(mu0, sd0^2) of every arm's mean and the known reward noise sd (defaults 0, 1, 1). */
export interface GaussianThompsonPrior {
  readonly mu0?: number;
  readonly sd0?: number;
  readonly noiseSd?: number;
}

/**
 * Gaussian Thompson sampling with known noise: draws mu_a from its normal posterior and plays the largest.
 *
 * @remarks
 * Posterior of arm a: precision 1/sd0^2 + n_a/sigma^2, mean (mu0/sd0^2 + S_a/sigma^2) / precision, from the
 * additive statistics n_a (counts) and S_a (sums). References: S. Agrawal and N. Goyal, "Further optimal regret
 * bounds for Thompson sampling", AISTATS 2013.
 *
 * @param stats - additive statistics.
 * @param ctx - available arms.
 * @param rng - random source (one normal draw per available arm).
 * @param prior - mu0 finite, sd0 > 0, noiseSd > 0.
 * @returns the chosen arm.
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_NOT_FINITE for a bad prior; errors of the availability list.
 */
export function decideGaussianThompson(
  stats: ArmStats,
  ctx: ThompsonContext,
  rng: Rng,
  prior: GaussianThompsonPrior = {},
): number {
  const mu0 = prior.mu0 ?? 0;
  const sd0 = prior.sd0 ?? 1;
  const sigma = prior.noiseSd ?? 1;
  assertFinite('prior.mu0', mu0);
  assertPositive('prior.sd0', sd0);
  assertPositive('prior.noiseSd', sigma);
  const avail = checkAvailable(stats.k, ctx.available);
  const p0 = 1 / (sd0 * sd0);
  const pn = 1 / (sigma * sigma);
  let best = -1;
  let bestDraw = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < avail.length; j++) {
    const a = avail[j]!;
    const prec = p0 + stats.counts[a]! * pn;
    const mean = (mu0 * p0 + stats.sums[a]! * pn) / prec;
    const x = mean + rng.normal() / Math.sqrt(prec);
    if (x > bestDraw) {
      bestDraw = x;
      best = a;
    }
  }
  return best;
}
