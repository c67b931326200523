/**
 * Fast normal, gamma and beta draws for hot loops (budgeted Thompson sampling, Beta environments, the Monte Carlo of
 * the exploration-efficiency metrics): a ziggurat normal and Marsaglia–Tsang squeeze-rejection on the generator's
 * own 32-bit and uniform draws, with no object per call. About 3-4 times faster than the @stdlib samplers behind
 * `Rng.normal/gamma/beta`, which remain the general-purpose draws.
 */
import { mix32, type Rng } from './rng.js';

/**
 * Kernel: a double uniform on [0, 1) with 53 random bits from two `uint32()` draws, the same number as the library
 * generator's `uniform()` (27 high bits of the first draw, 26 of the second).
 *
 * @remarks
 * The generator's `uniform` is bound per instance (so it can be passed around as a plain function), and V8 does not
 * inline a call through a per-instance bound function: in the budgeted Thompson sampling loop that call was a third
 * of the run time. Calling `uint32()` (a prototype method, inlined) gives the same draws without it.
 *
 * @param rng - the generator.
 * @returns a draw in [0, 1).
 */
export function uniform53(rng: Rng): number {
  const a = rng.uint32() >>> 5;
  const b = rng.uint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/**
 * Ziggurat tables for the standard normal, 128 strips (Marsaglia and Tsang 2000), for signed integers of magnitude
 * below m1: K[i] is the fast-path bound of strip i, W[i] its width per integer step, F[i] the density at its edge.
 */
function zigguratTables(m1: number): { K: Float64Array; W: Float64Array; F: Float64Array } {
  const K = new Float64Array(128);
  const W = new Float64Array(128);
  const F = new Float64Array(128);
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  K[0] = Math.floor((dn / q) * m1);
  K[1] = 0;
  W[0] = q / m1;
  W[127] = dn / m1;
  F[0] = 1;
  F[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    K[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    F[i] = Math.exp(-0.5 * dn * dn);
    W[i] = dn / m1;
  }
  return { K, W, F };
}

const ZIG_R = 3.442619855899;
// The 32-bit tables (value from a signed 32-bit draw, strip from a second draw).
const { K: ZIG_K, W: ZIG_W, F: ZIG_F } = zigguratTables(2147483648);
// The 25-bit tables of the block sampler (strip from the low 7 bits of a draw, value from its high 25 bits).
const { K: ZIG25_K, W: ZIG25_W, F: ZIG25_F } = zigguratTables(16777216);

/**
 * A standard normal draw by the ziggurat method.
 *
 * @remarks
 * Marsaglia and Tsang's 128-strip ziggurat on 32-bit signed integers; the strip index comes from a separate 32-bit
 * draw (Doornik's remedy for the correlation between strip and value in the original), the tail beyond r = 3.4426
 * by Marsaglia's exponential rejection. About three times faster than a polar or stdlib draw.
 *
 * References: G. Marsaglia and W. W. Tsang, "The ziggurat method for generating random variables", Journal of
 * Statistical Software 5(8), 2000, doi:10.18637/jss.v005.i08; J. A. Doornik, "An improved ziggurat method to
 * generate normal random samples", 2005.
 *
 * @param rng - the generator.
 * @returns a N(0, 1) draw.
 */
export function sampleNormal(rng: Rng): number {
  const hz = rng.uint32() | 0;
  const iz = rng.uint32() & 127;
  return Math.abs(hz) < ZIG_K[iz]! ? hz * ZIG_W[iz]! : normalSlow(hz, iz, rng);
}

/** The ziggurat's rare cases for a rejected first try (hz, iz): the tail, the wedges, and fresh tries after that. */
function normalSlow(hz0: number, iz0: number, rng: Rng): number {
  let hz = hz0;
  let iz = iz0;
  for (;;) {
    const x = hz * ZIG_W[iz]!;
    if (Math.abs(hz) < ZIG_K[iz]!) return x;
    if (iz === 0) {
      let xx: number;
      let y: number;
      do {
        xx = -Math.log(1 - uniform53(rng)) / ZIG_R;
        y = -Math.log(1 - uniform53(rng));
      } while (y + y < xx * xx);
      return hz > 0 ? ZIG_R + xx : -ZIG_R - xx;
    }
    if (ZIG_F[iz]! + uniform53(rng) * (ZIG_F[iz - 1]! - ZIG_F[iz]!) < Math.exp(-0.5 * x * x)) return x;
    hz = rng.uint32() | 0;
    iz = rng.uint32() & 127;
  }
}

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
    const u = uniform53(rng);
    const d = shape + 1 - 1 / 3;
    return gammaCore(d, 1 / Math.sqrt(9 * d), rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  return gammaCore(d, 1 / Math.sqrt(9 * d), rng);
}

/** Marsaglia–Tsang for shape >= 1 with its constants d = shape - 1/3 and c = 1/sqrt(9d) prepared. */
function gammaCore(d: number, c: number, rng: Rng): number {
  for (;;) {
    // The ziggurat's fast path inlined (the same draws as sampleNormal, which handles the rare slow cases).
    const hz = rng.uint32() | 0;
    const iz = rng.uint32() & 127;
    const x = Math.abs(hz) < ZIG_K[iz]! ? hz * ZIG_W[iz]! : normalSlow(hz, iz, rng);
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = uniform53(rng);
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
  return s > 0 ? x / s : uniform53(rng) < a / (a + b) ? 1 : 0;
}

/**
 * Kernel: prepares the Marsaglia–Tsang constants of n Beta(a_i, b_i) laws into `prep` (4 numbers per law: d and c
 * of a, d and c of b), so that {@link sampleBetaPrepared} does no square roots.
 *
 * @param n - number of laws.
 * @param a - first shapes (> 0, trusted).
 * @param b - second shapes (> 0, trusted).
 * @param prep - output, length >= 4n.
 */
export function prepareBeta(n: number, a: ArrayLike<number>, b: ArrayLike<number>, prep: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const da = (a[i]! < 1 ? a[i]! + 1 : a[i]!) - 1 / 3;
    const db = (b[i]! < 1 ? b[i]! + 1 : b[i]!) - 1 / 3;
    prep[4 * i] = da;
    prep[4 * i + 1] = 1 / Math.sqrt(9 * da);
    prep[4 * i + 2] = db;
    prep[4 * i + 3] = 1 / Math.sqrt(9 * db);
  }
}

/**
 * Kernel: one Beta(a, b) draw with the constants of law i from {@link prepareBeta}; the same draw, from the same
 * random numbers, as {@link sampleBeta}(a, b, rng).
 */
export function sampleBetaPrepared(rng: Rng, a: number, b: number, prep: Float64Array, i: number): number {
  let x: number;
  if (a < 1) {
    const u = uniform53(rng);
    x = gammaCore(prep[4 * i]!, prep[4 * i + 1]!, rng) * Math.pow(u, 1 / a);
  } else x = gammaCore(prep[4 * i]!, prep[4 * i + 1]!, rng);
  let y: number;
  if (b < 1) {
    const u = uniform53(rng);
    y = gammaCore(prep[4 * i + 2]!, prep[4 * i + 3]!, rng) * Math.pow(u, 1 / b);
  } else y = gammaCore(prep[4 * i + 2]!, prep[4 * i + 3]!, rng);
  const s = x + y;
  return s > 0 ? x / s : uniform53(rng) < a / (a + b) ? 1 : 0;
}

/**
 * Marsaglia–Tsang's c = 1/sqrt(9d), d = k - 1/3, of the integer shapes k < 1024 (8 KiB). Larger shapes compute c in
 * place (the same double): the table over every shape a long run reaches (grown up to 2^20 entries, 8 MiB) was a
 * cache miss per draw of a large shape; its line was 14 % of a profile of a BTS run at K = 50.
 */
const GAMMA_C_SMALL = (() => {
  const t = new Float64Array(1024);
  for (let j = 1; j < t.length; j++) t[j] = 1 / Math.sqrt(9 * (j - 1 / 3));
  return t;
})();

/** Scratch state of the block generator while a rare slow path runs (4 words of xoshiro128**). */
const BLOCK_STATE = new Int32Array(4);

/**
 * Seeds {@link BLOCK_STATE} from 4 draws of `rng` through the MurmurHash3 finaliser (as signed 32-bit words; an
 * all-zero state becomes 1, 0, 0, 0). One call site for `uint32` and `mix32`, so both are inlined here: four call
 * sites in the block sampler exceeded its inlining budget, and the calls left out returned boxed doubles.
 */
function seedBlockState(rng: Rng): void {
  const s = BLOCK_STATE;
  for (let k = 0; k < 4; k++) s[k] = mix32(rng.uint32());
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1; // xoshiro's state must not be all zero
}

/** One xoshiro128** step on {@link BLOCK_STATE}: the next output as a signed 32-bit integer (slow paths only). */
function blockNext(): number {
  const s = BLOCK_STATE;
  const s0 = s[0]!;
  const s1 = s[1]!;
  const t = Math.imul(s1, 5);
  const r = Math.imul((t << 7) | (t >>> 25), 9);
  const s2 = s[2]! ^ s0;
  const s3 = s[3]! ^ s1;
  s[1] = s1 ^ s2;
  s[0] = s0 ^ s3;
  s[2] = s2 ^ (s1 << 9);
  s[3] = (s3 << 11) | (s3 >>> 21);
  return r;
}

/** A uniform on (0, 1) from one 32-bit output r: (r + 1/2) / 2^32, never 0 or 1. */
const U32 = 2.3283064365386963e-10;

/**
 * The 25-bit ziggurat's rare cases (tail, wedges, fresh tries) on the block generator's {@link BLOCK_STATE}.
 * hz is a signed 25-bit value (|hz| < 2^24), iz the strip.
 */
function normalSlow25(hz0: number, iz0: number): number {
  let hz = hz0;
  let iz = iz0;
  for (;;) {
    const x = hz * ZIG25_W[iz]!;
    if (Math.abs(hz) < ZIG25_K[iz]!) return x;
    if (iz === 0) {
      let xx: number;
      let y: number;
      do {
        xx = -Math.log(((blockNext() >>> 0) + 0.5) * U32) / ZIG_R;
        y = -Math.log(((blockNext() >>> 0) + 0.5) * U32);
      } while (y + y < xx * xx);
      return hz > 0 ? ZIG_R + xx : -ZIG_R - xx;
    }
    const u = ((blockNext() >>> 0) + 0.5) * U32;
    if (ZIG25_F[iz]! + u * (ZIG25_F[iz - 1]! - ZIG25_F[iz]!) < Math.exp(-0.5 * x * x)) return x;
    const r = blockNext();
    iz = r & 127;
    hz = r >> 7;
  }
}

/**
 * Kernel: Thompson-sampling draws for Bernoulli counts under a uniform prior,
 * `out[i] ~ Beta(successes[i] + 1, trials[i] - successes[i] + 1)` for i < m (integer counts, 0 <= successes <= trials).
 *
 * @remarks
 * Each Beta is `X / (X + Y)` with `X ~ Gamma(s + 1)`, `Y ~ Gamma(n - s + 1)` by Marsaglia–Tsang (see
 * {@link sampleGamma}), with the gamma draws written inline, half the random words of {@link sampleBeta} and none
 * of its calls:
 *
 * - The draws come from a block generator: a xoshiro128** (the library generator's algorithm) whose four state words
 *   are taken from `rng` (four `uint32()` draws through the MurmurHash3 finaliser) and then live in local variables
 *   for the whole block. A `uint32()` call on the library generator loads and stores its state in memory each time;
 *   that was 8 of the ~11 steps of a Beta draw. `rng` advances by exactly 4 draws per call, whatever the rejections.
 * - Each Marsaglia–Tsang try takes one 32-bit word for the normal (ziggurat strip from the low 7 bits, value from
 *   the high 25 bits, with tables scaled to 2^24: bits are not shared between strip and value, so there is no
 *   strip/value correlation) and one for the uniform, `(r + 1/2) / 2^32`: 2 words a try instead of 4. The normal's
 *   resolution is 2^-24 of a strip's width (below 2.1e-7), the uniform's 2^-32.
 *
 * So the draws differ from {@link sampleBeta}'s, with the same law (tested against @stdlib's Beta CDF).
 *
 * References: G. Marsaglia and W. W. Tsang, ACM TOMS 26(3), 2000 (gamma) and JSS 5(8), 2000 (ziggurat);
 * D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021 (xoshiro128**).
 *
 * @param rng - the generator; advanced by 4 draws.
 * @param m - number of draws.
 * @param successes - integer counts s_i >= 0 (trusted), length >= m.
 * @param trials - integer counts n_i >= s_i (trusted), length >= m.
 * @param out - receives the draws, each in (0, 1): `out[i]` for item i.
 * @param items - when given, draw only for the items `items[0..m)` (in that order), not for 0..m-1.
 */
export function sampleBetaPosteriorInto(
  rng: Rng,
  m: number,
  successes: ArrayLike<number>,
  trials: ArrayLike<number>,
  out: Float64Array,
  items: Int32Array | null = null,
): void {
  seedBlockState(rng);
  let s0 = BLOCK_STATE[0]!;
  let s1 = BLOCK_STATE[1]!;
  let s2 = BLOCK_STATE[2]!;
  let s3 = BLOCK_STATE[3]!;
  // Gamma draws in one flat loop: j = 2i draws X of item i, j = 2i + 1 draws Y and writes the Beta.
  let x = 0;
  for (let j = 0; j < 2 * m; j++) {
    const i = items === null ? j >> 1 : items[j >> 1]!;
    {
      const sc = successes[i]!;
      // An int32 (the counts are integers below 2^31): the table is indexed without a double-to-index check.
      const shape = ((j & 1) === 0 ? sc + 1 : trials[i]! - sc + 1) | 0;
      const d = shape - 1 / 3;
      const c = shape < 1024 ? GAMMA_C_SMALL[shape]! : 1 / Math.sqrt(9 * d);
      let draw = 0;
      for (;;) {
        // xoshiro128** step: r is the output as a signed 32-bit integer.
        let t = Math.imul(s1, 5);
        let r = Math.imul((t << 7) | (t >>> 25), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const iz = r & 127;
        const hz = r >> 7;
        let z: number;
        if (Math.abs(hz) < ZIG25_K[iz]!) z = hz * ZIG25_W[iz]!;
        else {
          BLOCK_STATE[0] = s0;
          BLOCK_STATE[1] = s1;
          BLOCK_STATE[2] = s2;
          BLOCK_STATE[3] = s3;
          z = normalSlow25(hz, iz);
          s0 = BLOCK_STATE[0]!;
          s1 = BLOCK_STATE[1]!;
          s2 = BLOCK_STATE[2]!;
          s3 = BLOCK_STATE[3]!;
        }
        let v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        t = Math.imul(s1, 5);
        r = Math.imul((t << 7) | (t >>> 25), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const u = ((r >>> 0) + 0.5) * U32;
        const z2 = z * z;
        if (u < 1 - 0.0331 * z2 * z2 || Math.log(u) < 0.5 * z2 + d * (1 - v + Math.log(v))) {
          draw = d * v;
          break;
        }
      }
      if ((j & 1) === 0) x = draw;
      else out[i] = x / (x + draw);
    }
  }
}
