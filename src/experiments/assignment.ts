/**
 * Deterministic hash assignment of users to the production, control and test groups of the two-phase A/B design
 * (Guo et al. 2023, section 3.3, Figure 2).
 */
import { AllotError } from '../core/errors.js';
import { assertFinite, assertInteger } from '../core/validate.js';

/** The three groups of the design, in index order 0, 1, 2. */
export const GROUPS: readonly ['production', 'control', 'test'] = ['production', 'control', 'test'];

/** A group name. */
export type GroupName = (typeof GROUPS)[number];

/** A validated assignment: cumulative share bounds and a salt that names the experiment. */
export interface Assignment {
  /** Shares of production, control, test (sum 1). */
  readonly shares: readonly [number, number, number];
  /** Salt mixed into the hash (a different salt gives an independent split). */
  readonly salt: number;
}

/** The 32-bit finaliser of MurmurHash3 (an avalanche mix). */
function fmix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A uniform number in [0, 1) that depends only on (id, salt): two rounds of the MurmurHash3 finaliser over the
 * 32-bit halves of the id and the salt, 53 bits of output.
 *
 * @param id - a non-negative safe integer (the user id).
 * @param salt - a non-negative 32-bit integer.
 * @returns the hash as a double in [0, 1).
 */
export function hashUnit(id: number, salt: number): number {
  const lo = id >>> 0;
  const hi = Math.floor(id / 4294967296) >>> 0;
  const s = fmix32(salt ^ 0x9e3779b9);
  const h1 = fmix32(lo ^ fmix32(hi ^ s));
  const h2 = fmix32(h1 ^ fmix32(s + 0x632be5ab) ^ lo);
  return ((h1 >>> 5) * 67108864 + (h2 >>> 6)) / 9007199254740992;
}

/**
 * Creates an assignment with the given shares.
 *
 * @param shares - [production, control, test], each in [0, 1], summing to 1 within 1e-9; control and test > 0.
 * @param salt - experiment salt, an integer in [0, 2^32) (default 0).
 * @returns the validated assignment.
 * @throws ALLOT_SHAPE_MISMATCH unless there are 3 shares; ALLOT_OUT_OF_RANGE for a share outside [0, 1], a zero
 *   control or test share, or shares not summing to 1.
 */
export function createAssignment(shares: ArrayLike<number>, salt = 0): Assignment {
  if (shares.length !== 3) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `shares must have 3 entries (production, control, test) (got ${shares.length})`,
    );
  }
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const v = shares[i];
    assertFinite(`shares[${i}]`, v);
    if (v < 0 || v > 1)
      throw new AllotError('ALLOT_OUT_OF_RANGE', `shares[${i}] must be in [0, 1] (got ${v})`);
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-9) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `shares must sum to 1 (got ${Number(sum.toPrecision(12))})`);
  }
  if (!(shares[1]! > 0) || !(shares[2]! > 0)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `the control and test shares must be > 0 (got ${shares[1]} and ${shares[2]})`,
    );
  }
  assertInteger('salt', salt, 0, 4294967295);
  return { shares: [shares[0]!, shares[1]!, shares[2]!], salt };
}

/**
 * The group of user `id`: 0 production, 1 control, 2 test. Stable: depends only on (id, salt, shares), never on
 * how many users there are or in which order they are assigned.
 *
 * @param a - the assignment.
 * @param id - user id, a non-negative safe integer (trusted).
 * @returns the group index.
 */
export function assignUser(a: Assignment, id: number): 0 | 1 | 2 {
  const u = hashUnit(id, a.salt);
  if (u < a.shares[0]) return 0;
  if (u < a.shares[0] + a.shares[1]) return 1;
  return 2;
}

/**
 * Assigns users 0..n-1.
 *
 * @param a - the assignment.
 * @param n - number of users, an integer >= 0.
 * @returns the group index per user.
 * @throws ALLOT_OUT_OF_RANGE for a bad n.
 */
export function assignUsers(a: Assignment, n: number): Uint8Array {
  assertInteger('n', n, 0);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = assignUser(a, i);
  return out;
}
