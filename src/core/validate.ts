/**
 * Validation helpers for public boundaries. Each throws an {@link AllotError} whose message names the input, the
 * condition and the value given. Kernels behind a validated boundary trust their inputs.
 */
import { AllotError } from './errors.js';

/** Formats a value for an error message (short, never throws). */
export function show(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** Asserts `x` is a finite number. */
export function assertFinite(name: string, x: unknown): asserts x is number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new AllotError('ALLOT_NOT_FINITE', `${name} must be a finite number (got ${show(x)})`);
  }
}

/** Asserts `x` is an integer in [min, max]. */
export function assertInteger(
  name: string,
  x: unknown,
  min: number = -Infinity,
  max: number = Infinity,
): asserts x is number {
  if (typeof x !== 'number' || !Number.isInteger(x)) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `${name} must be an integer (got ${show(x)})`);
  }
  if (x < min || x > max) {
    const range = max === Infinity ? `>= ${min}` : min === -Infinity ? `<= ${max}` : `in [${min}, ${max}]`;
    throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must be an integer ${range} (got ${x})`);
  }
}

/**
 * Asserts `x` is a finite number in the interval given by bounds and openness.
 * `interval('beta', b, 0, 1, true, true)` checks 0 < b < 1.
 */
export function assertInInterval(
  name: string,
  x: unknown,
  lo: number,
  hi: number,
  openLo = false,
  openHi = false,
): asserts x is number {
  assertFinite(name, x);
  const okLo = openLo ? x > lo : x >= lo;
  const okHi = openHi ? x < hi : x <= hi;
  if (!okLo || !okHi) {
    const l = lo === -Infinity ? '(-inf' : `${openLo ? '(' : '['}${lo}`;
    const h = hi === Infinity ? 'inf)' : `${hi}${openHi ? ')' : ']'}`;
    throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must be in ${l}, ${h} (got ${x})`);
  }
}

/** Asserts `x` is a finite number > 0. */
export function assertPositive(name: string, x: unknown): asserts x is number {
  assertFinite(name, x);
  if (x <= 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must be > 0 (got ${x})`);
}

/** Asserts `x` is a finite number >= 0. */
export function assertNonNegative(name: string, x: unknown): asserts x is number {
  assertFinite(name, x);
  if (x < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must be >= 0 (got ${x})`);
}

/** Converts an array-like of numbers to a Float64Array, checking every entry is finite. */
export function toFiniteArray(name: string, xs: unknown, minLength = 0): Float64Array {
  if (!(Array.isArray(xs) || ArrayBuffer.isView(xs))) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `${name} must be an array of numbers (got ${show(xs)})`);
  }
  const arr = xs as ArrayLike<unknown>;
  if (arr.length < minLength) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${name} must have at least ${minLength} entries (got ${arr.length})`,
    );
  }
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AllotError('ALLOT_NOT_FINITE', `${name}[${i}] must be a finite number (got ${show(v)})`);
    }
    out[i] = v;
  }
  return out;
}

/** Asserts two lengths agree. */
export function assertSameLength(nameA: string, a: number, nameB: string, b: number): void {
  if (a !== b) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${nameA} and ${nameB} must have the same length (got ${a} and ${b})`,
    );
  }
}

/** Asserts a vector of probabilities is non-negative and sums to 1 within `tol`. */
export function assertProbabilityVector(name: string, p: ArrayLike<number>, tol = 1e-9): void {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!Number.isFinite(v))
      throw new AllotError('ALLOT_NOT_FINITE', `${name}[${i}] must be finite (got ${v})`);
    if (v < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `${name}[${i}] must be >= 0 (got ${v})`);
    s += v;
  }
  if (Math.abs(s - 1) > tol) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must sum to 1 within ${tol} (got sum ${s})`);
  }
}

/** Asserts `x` is one of `choices`, returning it typed. */
export function assertOneOf<T extends string>(name: string, x: unknown, choices: readonly T[]): T {
  if (typeof x !== 'string' || !(choices as readonly string[]).includes(x)) {
    throw new AllotError(
      'ALLOT_UNKNOWN_OPTION',
      `${name} must be one of ${choices.join(', ')} (got ${show(x)})`,
    );
  }
  return x as T;
}
