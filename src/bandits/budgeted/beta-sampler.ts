/**
 * Gamma and beta draws for the hot loops of budgeted Thompson sampling and the Beta environment: Marsaglia–Tsang
 * squeeze-rejection on the generator's own normal and uniform draws (no object per call).
 */
import type { Rng } from '../../core/rng.js';

/**
 * A Gamma(shape, 1) draw.
 *
 * @remarks
 * Marsaglia and Tsang (2000): for shape >= 1 with `d = shape - 1/3`, `c = 1/sqrt(9d)`, draw `x ~ N(0,1)`,
 * `v = (1 + c x)^3` and accept `d v` when `u < 1 - 0.0331 x^4` or `ln u < x^2/2 + d (1 - v + ln v)`; for shape < 1
 * use `Gamma(shape + 1) * U^(1/shape)`.
 *
 * References: G. Marsaglia and W. W. Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000,
 * doi:10.1145/358407.358414.
 *
 * @param shape - finite, > 0 (not checked).
 * @param rng - the generator.
 * @returns a draw >= 0.
 */
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) {
    const u = rng.uniform();
    return sampleGamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A Beta(a, b) draw as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
 *
 * @param a - finite, > 0 (not checked).
 * @param b - finite, > 0 (not checked).
 * @param rng - the generator.
 * @returns a draw in [0, 1].
 */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = sampleGamma(a, rng);
  const y = sampleGamma(b, rng);
  const s = x + y;
  // Both gammas underflow to 0 only for tiny shapes; fall back to the mean's side by a fair coin.
  return s > 0 ? x / s : rng.uniform() < a / (a + b) ? 1 : 0;
}
