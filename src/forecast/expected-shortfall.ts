/**
 * Closed-form expected shortages E[(Y − x)_+] for parametric marginals, and the expected allocation score
 * E_F[s_A(x, Y)] = L·sum_i E_{F_i}[(Y_i − x_i)_+] they give (supplement section 3). Used to check propriety exactly,
 * beside Monte Carlo.
 */
import { gammaCdf, normalCdf } from '../core/dist.js';

/**
 * Expected shortage E[(Y − x)_+] of a lognormal Y (log Y ~ N(mu, sigma²)).
 *
 * @remarks
 * E[(Y − x)_+] = e^{mu + sigma²/2} Φ((mu + sigma² − ln x)/sigma) − x Φ((mu − ln x)/sigma) for x > 0, and
 * E[Y] − x for x <= 0 (supplement eq. 6 integrated).
 *
 * @param x - the supply
 * @param mu - log-scale location
 * @param sigma - log-scale scale, > 0
 * @returns the expected shortage (>= 0)
 * @example
 * ```ts
 * expectedShortfallLognormal(0, 0, 1); // Math.exp(0.5)
 * ```
 */
export function expectedShortfallLognormal(x: number, mu: number, sigma: number): number {
  const mean = Math.exp(mu + 0.5 * sigma * sigma);
  if (x <= 0) return mean - x;
  const l = Math.log(x);
  return mean * normalCdf((mu + sigma * sigma - l) / sigma) - x * normalCdf((mu - l) / sigma);
}

/**
 * Expected shortage E[(Y − x)_+] of a gamma Y (shape k, scale theta).
 *
 * @remarks
 * E[(Y − x)_+] = k·theta·(1 − G_{k+1}(x)) − x·(1 − G_k(x)) with G_a the Gamma(a, theta) CDF, for x > 0;
 * E[Y] − x for x <= 0.
 *
 * @param x - the supply
 * @param shape - k > 0
 * @param scale - theta > 0
 * @returns the expected shortage (>= 0)
 * @example
 * ```ts
 * expectedShortfallGamma(0, 2, 3); // 6
 * ```
 */
export function expectedShortfallGamma(x: number, shape: number, scale: number): number {
  const mean = shape * scale;
  if (x <= 0) return mean - x;
  return mean * (1 - gammaCdf(x, shape + 1, scale)) - x * (1 - gammaCdf(x, shape, scale));
}
