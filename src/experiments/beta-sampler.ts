/**
 * Fast Beta sampling for the Monte Carlo of the exploration-efficiency metrics: X = G_a / (G_a + G_b) with
 * Marsaglia–Tsang gamma variates fed by a ziggurat normal, the per-shape constants prepared once and reused
 * across the many draws of one posterior.
 */
import type { Rng } from '../core/rng.js';

// Ziggurat tables for the standard normal, 128 layers (Marsaglia and Tsang 2000).
const KN = new Int32Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  const m1 = 2147483648.0;
  let dn = 3.442619855899;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * m1);
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
}
const ZIG_R = 3.442619855899;
const INV_2_32 = 1 / 4294967296;

/** A uniform in (0, 1) with 32 random bits (never 0, so its logarithm is finite). */
function uniform32(rng: Rng): number {
  return (rng.uint32() + 0.5) * INV_2_32;
}

/**
 * A standard normal draw by the ziggurat method (128 layers).
 *
 * @remarks References: G. Marsaglia and W. W. Tsang, "The ziggurat method for generating random variables",
 * Journal of Statistical Software 5(8), 2000. doi:10.18637/jss.v005.i08.
 *
 * @param rng - random source (one 32-bit word in about 98.8 % of draws).
 * @returns an N(0, 1) draw.
 */
export function zigguratNormal(rng: Rng): number {
  for (;;) {
    const hz = rng.uint32() | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < KN[iz]!) return hz * WN[iz]!;
    if (iz === 0) {
      let x: number;
      let y: number;
      do {
        x = -Math.log(uniform32(rng)) / ZIG_R;
        y = -Math.log(uniform32(rng));
      } while (y + y < x * x);
      return hz > 0 ? ZIG_R + x : -ZIG_R - x;
    }
    const x = hz * WN[iz]!;
    if (FN[iz]! + uniform32(rng) * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
  }
}

/**
 * A Gamma(shape, 1) draw by Marsaglia and Tsang's squeeze method, for shape < 1 through the boost
 * G(shape) = G(shape + 1) U^(1/shape).
 *
 * @remarks
 * d = s - 1/3, c = 1/sqrt(9d); repeat x ~ N(0,1), v = (1 + c x)^3 until v > 0 and u < 1 - 0.0331 x^4 or
 * ln u < x^2/2 + d (1 - v + ln v); return d v.
 * References: G. Marsaglia and W. W. Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3),
 * 363–372 (2000). doi:10.1145/358407.358414.
 *
 * @param rng - random source.
 * @param shape - shape > 0 (trusted).
 * @returns a Gamma(shape, 1) draw.
 */
export function sampleGamma(rng: Rng, shape: number): number {
  const s = shape < 1 ? shape + 1 : shape;
  const d = s - 1 / 3;
  return gammaCore(rng, shape, d, 1 / Math.sqrt(9 * d));
}

/** Marsaglia–Tsang with prepared d and c (shape < 1 boosted). */
function gammaCore(rng: Rng, shape: number, d: number, c: number): number {
  let g: number;
  for (;;) {
    const x = zigguratNormal(rng);
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = uniform32(rng);
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
      g = d * v;
      break;
    }
  }
  if (shape < 1) g *= Math.exp(Math.log(uniform32(rng)) / shape);
  return g;
}

/**
 * A Beta(a, b) draw as G_a / (G_a + G_b).
 *
 * @param rng - random source.
 * @param a - first shape > 0 (trusted).
 * @param b - second shape > 0 (trusted).
 * @returns a draw in [0, 1].
 */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  const s = x + y;
  return s > 0 ? x / s : a / (a + b);
}

/**
 * Kernel: prepares the Marsaglia–Tsang constants of n Beta(a_i, b_i) laws into `prep` (4 numbers per law:
 * d and c of a, d and c of b), so that {@link sampleBetaPrepared} does no square roots.
 */
export function prepareBeta(n: number, a: Float64Array, b: Float64Array, prep: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const sa = a[i]! < 1 ? a[i]! + 1 : a[i]!;
    const sb = b[i]! < 1 ? b[i]! + 1 : b[i]!;
    const da = sa - 1 / 3;
    const db = sb - 1 / 3;
    prep[4 * i] = da;
    prep[4 * i + 1] = 1 / Math.sqrt(9 * da);
    prep[4 * i + 2] = db;
    prep[4 * i + 3] = 1 / Math.sqrt(9 * db);
  }
}

/** Kernel: one Beta(a_i, b_i) draw with the constants from {@link prepareBeta}. */
export function sampleBetaPrepared(rng: Rng, a: number, b: number, prep: Float64Array, i: number): number {
  const x = gammaCore(rng, a, prep[4 * i]!, prep[4 * i + 1]!);
  const y = gammaCore(rng, b, prep[4 * i + 2]!, prep[4 * i + 3]!);
  const s = x + y;
  return s > 0 ? x / s : a / (a + b);
}
