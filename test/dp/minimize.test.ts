import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minimizeBounded } from '../../src/dp/index.js';
import { fc, test } from '../helpers/fast-check.js';

interface BrentRef {
  name: string;
  lo: number;
  hi: number;
  options: { xatol?: number; maxiter?: number };
  x: number;
  fun: number;
  nfev: number;
  status: number;
}
const SCIPY = JSON.parse(
  readFileSync(new URL('./fixtures/scipy-reference.json', import.meta.url), 'utf8'),
) as {
  brent: BrentRef[];
};

/** The functions of fixtures/scipy-reference.py, by name. */
const FUNCTIONS: Record<string, (x: number) => number> = {
  quadratic: (x) => (x - 2.0) ** 2,
  cos: (x) => Math.cos(x),
  quartic: (x) => (x - 0.3) ** 4 + 0.1 * x,
  abs: (x) => Math.abs(x - 1.234567),
  increasing: (x) => Math.exp(x),
  decreasing: (x) => -(x ** 3),
  rosen1d: (x) => (1 - x) ** 2 + 100 * (x * x - x) ** 2,
  'sin-tight': (x) => Math.sin(3 * x) + 0.2 * x,
  capped: (x) => (x - 2.0) ** 2 + Math.sin(40 * x) * 0.01,
};

describe('agreement with scipy minimize_scalar(method="bounded")', () => {
  for (const r of SCIPY.brent) {
    it(`${r.name}: same evaluation count, status and minimiser`, () => {
      const got = minimizeBounded(FUNCTIONS[r.name]!, r.lo, r.hi, r.options);
      expect(got.nfev).toBe(r.nfev);
      expect(got.status).toBe(r.status);
      expect(Math.abs(got.x - r.x)).toBeLessThan(1e-12 * (1 + Math.abs(r.x)));
      expect(Math.abs(got.fun - r.fun)).toBeLessThan(1e-12 * (1 + Math.abs(r.fun)));
    });
  }
});

describe('Brent finds known minima within xatol', () => {
  test.prop(
    [
      fc.double({ min: -50, max: 50, noNaN: true }),
      fc.double({ min: 0.1, max: 40, noNaN: true }),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    ],
    {
      seed: 7,
      numRuns: 200,
    },
  )('a smooth function with minimum m inside [lo, hi]', (lo, width, frac) => {
    const hi = lo + width;
    const m = lo + frac * width;
    const r = minimizeBounded((x) => Math.cosh(x - m) + 0.5 * (x - m) ** 2, lo, hi);
    expect(Math.abs(r.x - m)).toBeLessThan(1e-5);
    expect(r.status).toBe(0);
  });

  test.prop([fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.5, max: 10, noNaN: true })], {
    seed: 8,
    numRuns: 100,
  })(
    'never evaluates outside [lo, hi]; a monotone function ends within 2 xatol of the bound',
    (lo, width) => {
      const hi = lo + width;
      let outside = 0;
      const r = minimizeBounded(
        (x) => {
          if (x < lo || x > hi) outside++;
          return x;
        },
        lo,
        hi,
      );
      expect(outside).toBe(0);
      expect(r.x - lo).toBeLessThan(2e-5 + 1e-7 * Math.abs(lo));
    },
  );

  it('respects a custom xatol and reports the evaluation cap', () => {
    const tight = minimizeBounded((x) => (x - Math.PI) ** 2, 0, 10, { xatol: 1e-10 });
    expect(Math.abs(tight.x - Math.PI)).toBeLessThan(1e-9);
    const capped = minimizeBounded((x) => Math.abs(x - 0.123), 0, 10, { maxiter: 5 });
    expect(capped.nfev).toBe(5);
    expect(capped.status).toBe(1);
    expect(capped.success).toBe(false);
  });

  it('rejects bad bounds and options', () => {
    expect(() => minimizeBounded((x) => x, 2, 1)).toThrowErrorMatchingInlineSnapshot(
      `[AllotError: lo must be <= hi (got lo = 2, hi = 1)]`,
    );
    expect(() => minimizeBounded((x) => x, 0, 1, { xatol: 0 })).toThrow(/xatol must be > 0/);
    expect(() => minimizeBounded((x) => x, 0, Number.POSITIVE_INFINITY)).toThrow(
      /hi must be a finite number/,
    );
    expect(() => minimizeBounded((x) => x, 0, 1, { maxiter: 1.5 })).toThrow(/maxiter must be an integer/);
  });
});
