/**
 * Thin wrappers over @stdlib for the normal, lognormal, beta and gamma distributions: one place that names the
 * parameterisations allot uses. All functions are pure and browser-safe.
 *
 * Parameterisations: normal(mu, sigma) with sigma > 0; lognormal(mu, sigma) of log X ~ normal(mu, sigma);
 * beta(a, b) with a, b > 0; gamma(shape k, scale theta), mean k * theta (stdlib uses the rate 1 / theta).
 */
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
import normalQuantileImpl from '@stdlib/stats-base-dists-normal-quantile';

/** N(mu, sigma^2) CDF P(X <= x). */
export function normalCdf(x: number, mu = 0, sigma = 1): number {
  return normalCdfImpl(x, mu, sigma);
}

/** N(mu, sigma^2) density at x. */
export function normalPdf(x: number, mu = 0, sigma = 1): number {
  return normalPdfImpl(x, mu, sigma);
}

/** N(mu, sigma^2) quantile (inverse CDF) at probability p in [0, 1]. */
export function normalQuantile(p: number, mu = 0, sigma = 1): number {
  return normalQuantileImpl(p, mu, sigma);
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
