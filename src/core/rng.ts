/**
 * The seeded, splittable random number generator every stochastic function in allot takes.
 *
 * @remarks
 * Generator: **xoshiro128\*\*** (Blackman and Vigna 2018), 128 bits of state in four 32-bit words, period 2^128 - 1,
 * all arithmetic in 32-bit integers (`Math.imul`, shifts), so the same seed gives the same bits on every platform.
 * Seeding and forking use **SplitMix32**-style mixing (the 32-bit finaliser of MurmurHash3 applied to a Weyl
 * sequence): `createRng(seed)` expands the seed into a 128-bit key, and `fork(i)` derives the key of stream `i` from
 * the *key* of its parent (never from the parent's current state), so `createRng(s).fork(i)` is the same stream
 * however many numbers the parent has drawn. Replication `i` of a simulation uses `rng.fork(i)`.
 *
 * `uniform()` returns a 53-bit double in [0, 1) from two 32-bit outputs. `normal`, `gamma` and `beta` are
 * @stdlib samplers built once per generator with `{ prng: uniform }`. The methods are called on the generator
 * (`rng.uniform()`), not detached from it.
 *
 * References:
 * - D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021.
 *   arXiv:1805.01407.
 * - G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014.
 *   doi:10.1145/2660193.2660195.
 */
import betaFactory from '@stdlib/random-base-beta';
import gammaFactory from '@stdlib/random-base-gamma';
import normalFactory from '@stdlib/random-base-normal';
import { AllotError } from './errors.js';

/** A seeded random number generator. */
export interface Rng {
  /** A double uniform on [0, 1) with 53 random bits. */
  uniform(): number;
  /** A uniform unsigned 32-bit integer. */
  uint32(): number;
  /** A uniform integer in [0, n), n a positive integer <= 2^32 (unbiased, by rejection). */
  int(n: number): number;
  /** A normal draw with mean `mu` (default 0) and standard deviation `sigma` (default 1). */
  normal(mu?: number, sigma?: number): number;
  /** A gamma draw with shape `shape` > 0 and scale `scale` > 0 (default 1); mean shape * scale. */
  gamma(shape: number, scale?: number): number;
  /** A beta draw with parameters `a` > 0, `b` > 0. */
  beta(a: number, b: number): number;
  /** An independent generator for stream `stream` (a non-negative integer), derived from this one's seed key. */
  fork(stream: number): Rng;
  /** A copy of the current 128-bit state as four 32-bit words. */
  getState(): Uint32Array;
  /** The seed key this generator was created from (four 32-bit words); equal keys give equal streams. */
  readonly key: Uint32Array;
}

/** The 32-bit finaliser of MurmurHash3 (an avalanche mix; a bijection), as an unsigned 32-bit integer. @internal */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const GOLDEN = 0x9e3779b9;

/** Expands words into a 128-bit key, SplitMix-style: a Weyl sequence fed through mix32, absorbing each word. */
function deriveKey(words: readonly number[]): Uint32Array {
  let acc = 0x6a09e667;
  for (let i = 0; i < words.length; i++)
    acc = mix32((acc + GOLDEN + mix32(words[i]! ^ (i * 0x27d4eb2d))) >>> 0);
  const key = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    acc = (acc + GOLDEN) >>> 0;
    key[i] = mix32(acc);
  }
  if ((key[0]! | key[1]! | key[2]! | key[3]!) === 0) key[0] = 1; // xoshiro state must not be all zero
  return key;
}

const TWO_POW_32 = 4294967296;

class Xoshiro128 implements Rng {
  readonly key: Uint32Array;
  // State in a typed array: 32-bit words stored unboxed (plain fields holding values >= 2^30 would be heap numbers).
  private readonly s: Uint32Array;
  private normalSampler: ((mu: number, sigma: number) => number) | undefined;
  private gammaSampler: ((alpha: number, rate: number) => number) | undefined;
  private betaSampler: ((a: number, b: number) => number) | undefined;
  private boundUniform: (() => number) | undefined;

  /**
   * `uniform` and `uint32` stay prototype methods (no per-instance bound copy): a call `rng.uniform()` on this one
   * class is then monomorphic and TurboFan inlines it (with `uint32`) into the caller's loop; a bound function
   * stored on each instance was a different call target per generator and was never inlined (about 6 % of a
   * simulation's CPU went to the call alone). The @stdlib factories get one bound copy, made when first needed.
   */
  constructor(key: Uint32Array, state?: Uint32Array) {
    this.key = key;
    this.s = Uint32Array.from(state ?? key);
    this.boundUniform = undefined;
    this.normalSampler = undefined;
    this.gammaSampler = undefined;
    this.betaSampler = undefined;
  }

  /** `uniform` as a plain function on this generator (for the @stdlib samplers' `prng` option). */
  private prng(): () => number {
    if (this.boundUniform === undefined) this.boundUniform = () => this.uniform();
    return this.boundUniform;
  }

  uint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const t = Math.imul(s1, 5);
    const result = Math.imul((t << 7) | (t >>> 25), 9) >>> 0;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ (s1 << 9);
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  uniform(): number {
    const a = this.uint32() >>> 5; // 27 bits
    const b = this.uint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  int(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32 && Number.isInteger(n))) {
      throw new AllotError('ALLOT_INVALID_ARGUMENT', `n must be an integer in [1, 2^32] (got ${n})`);
    }
    // Rejection sampling: discard the top partial block so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  normal(mu = 0, sigma = 1): number {
    if (this.normalSampler === undefined) this.normalSampler = normalFactory.factory({ prng: this.prng() });
    return this.normalSampler(mu, sigma);
  }

  gamma(shape: number, scale = 1): number {
    if (this.gammaSampler === undefined) this.gammaSampler = gammaFactory.factory({ prng: this.prng() });
    return this.gammaSampler(shape, 1 / scale);
  }

  beta(a: number, b: number): number {
    if (this.betaSampler === undefined) this.betaSampler = betaFactory.factory({ prng: this.prng() });
    return this.betaSampler(a, b);
  }

  fork(stream: number): Rng {
    if (!(Number.isInteger(stream) && stream >= 0 && stream <= Number.MAX_SAFE_INTEGER)) {
      throw new AllotError('ALLOT_INVALID_ARGUMENT', `stream must be a non-negative integer (got ${stream})`);
    }
    const k = this.key;
    return new Xoshiro128(
      deriveKey([k[0]!, k[1]!, k[2]!, k[3]!, 0xf0f0f0f0, stream >>> 0, Math.floor(stream / TWO_POW_32)]),
    );
  }

  getState(): Uint32Array {
    return Uint32Array.from(this.s);
  }
}

/**
 * Creates a generator from a seed.
 *
 * @param seed - a non-negative safe integer.
 * @returns a fresh {@link Rng}; equal seeds give equal streams on every platform.
 * @throws ALLOT_INVALID_ARGUMENT if `seed` is not a non-negative safe integer.
 * @example
 * ```ts
 * const rng = createRng(1);
 * rng.uint32(); // 1615573485 (asserted in test/core/rng.test.ts)
 * ```
 */
export function createRng(seed: number): Rng {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= Number.MAX_SAFE_INTEGER)) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `seed must be a non-negative integer (got ${seed})`);
  }
  return new Xoshiro128(deriveKey([seed >>> 0, Math.floor(seed / TWO_POW_32)]));
}

/**
 * Restores a generator from a key and a state captured with {@link Rng.getState}.
 *
 * @param key - the generator's seed key (four 32-bit words).
 * @param state - the state to resume from (four 32-bit words, not all zero).
 * @returns a generator that continues exactly where the captured one was.
 * @throws ALLOT_SHAPE_MISMATCH if either array does not have 4 words.
 */
export function restoreRng(key: Uint32Array, state: Uint32Array): Rng {
  if (key.length !== 4 || state.length !== 4) {
    throw new AllotError('ALLOT_SHAPE_MISMATCH', 'key and state must have 4 words each');
  }
  return new Xoshiro128(Uint32Array.from(key), Uint32Array.from(state));
}
