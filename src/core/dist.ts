/**
 * Thin wrappers over @stdlib for the normal, lognormal, beta and gamma distributions: one place that names the
 * parameterisations allot uses. All functions are pure and browser-safe.
 *
 * Parameterisations: normal(mu, sigma) with sigma > 0; lognormal(mu, sigma) of log X ~ normal(mu, sigma);
 * beta(a, b) with a, b > 0; gamma(shape k, scale theta), mean k * theta (stdlib uses the rate 1 / theta).
 */
import erfcinv from '@stdlib/math-base-special-erfcinv';
import betaCdfImpl from '@stdlib/stats-base-dists-beta-cdf';
import betaPdfImpl from '@stdlib/stats-base-dists-beta-pdf';
import betaQuantileImpl from '@stdlib/stats-base-dists-beta-quantile';
import gammaCdfImpl from '@stdlib/stats-base-dists-gamma-cdf';
import gammaPdfImpl from '@stdlib/stats-base-dists-gamma-pdf';
import gammaQuantileImpl from '@stdlib/stats-base-dists-gamma-quantile';
import lognormalCdfImpl from '@stdlib/stats-base-dists-lognormal-cdf';
import lognormalPdfImpl from '@stdlib/stats-base-dists-lognormal-pdf';
import lognormalQuantileImpl from '@stdlib/stats-base-dists-lognormal-quantile';
import normalCdfImpl from '@stdlib/stats-base-dists-normal-cdf';
import normalLogPdfImpl from '@stdlib/stats-base-dists-normal-logpdf';
import normalPdfImpl from '@stdlib/stats-base-dists-normal-pdf';

/** N(mu, sigma^2) CDF P(X <= x). */
export function normalCdf(x: number, mu = 0, sigma = 1): number {
  return normalCdfImpl(x, mu, sigma);
}

/** N(mu, sigma^2) density at x. */
export function normalPdf(x: number, mu = 0, sigma = 1): number {
  return normalPdfImpl(x, mu, sigma);
}

/**
 * N(mu, sigma^2) quantile (inverse CDF) at probability p in [0, 1].
 *
 * @remarks
 * Computed as mu + sigma * z with z = -sqrt(2) * erfcinv(2p) for p < 1/2 and sqrt(2) * erfcinv(2(1 - p)) above
 * (1 - p is exact there). This keeps full relative accuracy deep in the lower tail (to p = 5e-324), where
 * @stdlib's normal quantile, which works through 2p - 1, loses digits below p = 1e-3 and returns -Infinity below
 * about 1e-17.
 */
export function normalQuantile(p: number, mu = 0, sigma = 1): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  const z = p < 0.5 ? -Math.SQRT2 * erfcinv(2 * p) : Math.SQRT2 * erfcinv(2 * (1 - p));
  return mu + sigma * z;
}

/** log X ~ N(mu, sigma^2) CDF P(X <= x). */
export function lognormalCdf(x: number, mu: number, sigma: number): number {
  return lognormalCdfImpl(x, mu, sigma);
}

/** log X ~ N(mu, sigma^2) density at x. */
export function lognormalPdf(x: number, mu: number, sigma: number): number {
  return lognormalPdfImpl(x, mu, sigma);
}

/** log X ~ N(mu, sigma^2) quantile (inverse CDF) at probability p in [0, 1]. */
export function lognormalQuantile(p: number, mu: number, sigma: number): number {
  return lognormalQuantileImpl(p, mu, sigma);
}

/** Beta(a, b) CDF P(X <= x). */
export function betaCdf(x: number, a: number, b: number): number {
  return betaCdfImpl(x, a, b);
}

/** Beta(a, b) density at x. */
export function betaPdf(x: number, a: number, b: number): number {
  return betaPdfImpl(x, a, b);
}

/** Beta(a, b) quantile (inverse CDF) at probability p in [0, 1]. */
export function betaQuantile(p: number, a: number, b: number): number {
  return betaQuantileImpl(p, a, b);
}

/** Gamma(shape, scale) CDF P(X <= x). */
export function gammaCdf(x: number, shape: number, scale = 1): number {
  return gammaCdfImpl(x, shape, 1 / scale);
}

/** Gamma(shape, scale) density at x. */
export function gammaPdf(x: number, shape: number, scale = 1): number {
  return gammaPdfImpl(x, shape, 1 / scale);
}

/** Gamma(shape, scale) quantile (inverse CDF) at probability p in [0, 1]. */
export function gammaQuantile(p: number, shape: number, scale = 1): number {
  return gammaQuantileImpl(p, shape, 1 / scale);
}

/** N(mu, sigma^2) log-density at x. */
export function normalLogPdf(x: number, mu = 0, sigma = 1): number {
  return normalLogPdfImpl(x, mu, sigma);
}
