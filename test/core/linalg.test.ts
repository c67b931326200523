import { describe, expect, it } from 'vitest';
import { AllotError } from '../../src/core/errors.js';
import {
  addOuter,
  cholesky,
  choleskySolve,
  identity,
  invertSpd,
  logDetFromCholesky,
  matVec,
  shermanMorrisonUpdate,
  solveUpper,
  symmetrize,
} from '../../src/core/linalg.js';
import { createRng } from '../../src/core/rng.js';
import { fc, test } from '../helpers/fast-check.js';

function randomSpd(n: number, seed: number): Float64Array {
  const r = createRng(seed);
  const a = identity(n, 0.5);
  for (let k = 0; k < n + 3; k++) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = r.normal();
    addOuter(n, a, x);
  }
  return a;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('linear algebra kernels', () => {
  it('cholesky matches the documented example', () => {
    expect(Array.from(cholesky(2, Float64Array.of(4, 2, 2, 3)))).toEqual([2, 0, 1, Math.SQRT2]);
  });

  test.prop([fc.integer({ min: 1, max: 12 }), fc.nat()], { seed: 1, numRuns: 40 })(
    'L L^T reproduces A and choleskySolve solves A x = b',
    (n, seed) => {
      const a = randomSpd(n, seed);
      const l = cholesky(n, a);
      const llt = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += l[i * n + k]! * l[j * n + k]!;
          llt[i * n + j] = s;
        }
      expect(maxAbsDiff(llt, a)).toBeLessThan(1e-10 * n);
      const b = new Float64Array(n).map((_, i) => i + 1);
      const x = choleskySolve(n, l, b, new Float64Array(n));
      expect(maxAbsDiff(matVec(n, n, a, x, new Float64Array(n)), b)).toBeLessThan(1e-9 * n);
    },
  );

  it('log-determinant from Cholesky equals the log of the product of eigen-free 2x2 determinant', () => {
    const a = Float64Array.of(4, 2, 2, 3); // det = 8
    expect(logDetFromCholesky(2, cholesky(2, a))).toBeCloseTo(Math.log(8), 14);
  });

  it('solveUpper solves an upper-triangular system', () => {
    const u = Float64Array.of(2, 1, 0, 4);
    expect(Array.from(solveUpper(2, u, Float64Array.of(4, 8), new Float64Array(2)))).toEqual([1, 2]);
  });

  it('throws ALLOT_NOT_POSITIVE_DEFINITE for an indefinite matrix', () => {
    expect(() => cholesky(2, Float64Array.of(1, 2, 2, 1))).toThrow(AllotError);
  });

  it('Sherman–Morrison keeps the inverse equal to a direct inverse after 10^4 rank-one updates (1e-9)', () => {
    const n = 8;
    const r = createRng(2024);
    const a = identity(n, 1);
    const ainv = identity(n, 1);
    const x = new Float64Array(n);
    const work = new Float64Array(n);
    for (let t = 0; t < 10_000; t++) {
      for (let i = 0; i < n; i++) x[i] = r.normal() / Math.sqrt(n);
      addOuter(n, a, x);
      shermanMorrisonUpdate(n, ainv, x, 1, work);
      if (t % 1000 === 999) symmetrize(n, ainv);
    }
    expect(maxAbsDiff(ainv, invertSpd(n, a))).toBeLessThan(1e-9);
  });
});
