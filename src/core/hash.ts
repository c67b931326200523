/**
 * Stable string hashing: the same string gives the same number on every platform and in every process, so an
 * event id or a user id can seed a decision's randomness or place a user in an experiment group.
 */

/** The 32-bit finaliser of MurmurHash3. */
function fmix32(h: number): number {
  let z = h >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A 53-bit hash of a string (two independent 32-bit MurmurHash3-style lanes over its UTF-16 code units).
 *
 * @param s - any string.
 * @param seed - a 32-bit salt (default 0); different salts give independent hashes.
 * @returns an integer in [0, 2^53).
 * @example
 * ```ts
 * hashString('event-1') === hashString('event-1'); // true
 * ```
 */
export function hashString(s: string, seed = 0): number {
  let h1 = (0x811c9dc5 ^ seed) >>> 0;
  let h2 = (0x9e3779b9 ^ Math.imul(seed, 0x27d4eb2d)) >>> 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = fmix32(h1 ^ s.length);
  h2 = fmix32(h2 ^ h1);
  return (h1 >>> 0) * 2097152 + (h2 >>> 11);
}

/**
 * A uniform number in [0, 1) from a string and a salt (53 bits of {@link hashString}).
 *
 * @param s - any string (a user id).
 * @param seed - a 32-bit salt.
 */
export function hashStringUnit(s: string, seed = 0): number {
  return hashString(s, seed) / 9007199254740992;
}
