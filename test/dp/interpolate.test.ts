import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createInterpolant,
  derivativeInterpolant,
  evaluateInterpolant,
  evaluateInterpolantMany,
  INTERPOLATION_KINDS,
  type InterpolationKind,
  refitInterpolant,
} from '../../src/dp/index.js';
import { fc, test } from '../helpers/fast-check.js';

interface Case {
  x: number[];
  y: number[];
  q: number[];
  cubic: number[];
  natural: number[];
  pchip: number[];
  linear: number[];
}
const SCIPY = JSON.parse(
  readFileSync(new URL('./fixtures/scipy-reference.json', import.meta.url), 'utf8'),
) as {
  interpolation: Case[];
};

/** A strictly increasing grid of n points with gaps in [0.05, 2]. */
const gridArb = (minN: number, maxN: number) =>
  fc
    .tuple(
      fc.double({ min: -5, max: 5, noNaN: true }),
      fc.array(fc.double({ min: 0.05, max: 2, noNaN: true }), { minLength: minN - 1, maxLength: maxN - 1 }),
    )
    .map(([x0, gaps]) => {
      const x = [x0];
      for (const g of gaps) x.push(x[x.length - 1]! + g);
      return x;
    });

describe('agreement with scipy 1.10 (fixtures/scipy-reference.py), inside and outside the grid', () => {
  for (const [c, idx] of SCIPY.interpolation.map((c, i) => [c, i] as const)) {
    for (const kind of INTERPOLATION_KINDS) {
      it(`${kind} on case ${idx} (n = ${c.x.length}) matches to 1e-12 relative`, () => {
        const s = createInterpolant(c.x, c.y, { kind });
        const got = evaluateInterpolantMany(s, c.q);
        const want = c[kind];
        const scale = Math.max(1, ...want.map(Math.abs));
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-12 * scale);
      });
    }
  }
});

describe('every kind reproduces its knots', () => {
  test.prop(
    [
      gridArb(4, 25),
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 25, maxLength: 25 }),
    ],
    {
      seed: 1,
      numRuns: 100,
    },
  )('s(x_i) = y_i', (x, ys) => {
    const y = ys.slice(0, x.length);
    for (const kind of INTERPOLATION_KINDS) {
      const s = createInterpolant(x, y, { kind });
      for (let i = 0; i < x.length; i++)
        expect(Math.abs(evaluateInterpolant(s, x[i]!) - y[i]!)).toBeLessThan(1e-9);
    }
  });
});

describe('the not-a-knot cubic spline', () => {
  test.prop(
    [gridArb(4, 20), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 })],
    { seed: 2, numRuns: 100 },
  )('reproduces any cubic exactly, inside the grid and extrapolated', (x, [a, b, c, d]) => {
    const p = (t: number) => a! + t * (b! + t * (c! + t * d!));
    const s = createInterpolant(x, x.map(p), { kind: 'cubic' });
    const lo = x[0]! - 1;
    const hi = x[x.length - 1]! + 1;
    for (let k = 0; k <= 40; k++) {
      const t = lo + ((hi - lo) * k) / 40;
      const want = p(t);
      expect(Math.abs(evaluateInterpolant(s, t) - want)).toBeLessThan(1e-8 * (1 + Math.abs(want)));
    }
  });

  test.prop(
    [
      gridArb(5, 20),
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 20, maxLength: 20 }),
    ],
    {
      seed: 3,
      numRuns: 100,
    },
  )('has a continuous third derivative at the second and second-to-last knots', (x, ys) => {
    const y = ys.slice(0, x.length);
    const s = createInterpolant(x, y, { kind: 'cubic' });
    const n = x.length;
    for (const i of [1, n - 2]) {
      const h = 1e-7 * (x[i + 1]! - x[i - 1]!);
      const left = derivativeInterpolant(s, x[i]! - h, 3);
      const right = derivativeInterpolant(s, x[i]! + h, 3);
      expect(Math.abs(left - right)).toBeLessThan(1e-9 * (1 + Math.abs(left)));
    }
  });

  it('third derivative does jump at an interior knot, and the natural spline jumps at the second knot', () => {
    const x = [0, 1, 2.5, 3, 4.2, 5, 6.1];
    const y = [0, 2, -1, 3, 0.5, -2, 1];
    const s = createInterpolant(x, y, { kind: 'cubic' });
    const jump = (sp: typeof s, at: number) =>
      Math.abs(derivativeInterpolant(sp, at - 1e-9, 3) - derivativeInterpolant(sp, at + 1e-9, 3));
    expect(jump(s, 2.5)).toBeGreaterThan(1e-3);
    expect(jump(createInterpolant(x, y, { kind: 'natural' }), 1)).toBeGreaterThan(1e-3);
  });

  it('equals a naive dense solve of the not-a-knot equations for the second derivatives', () => {
    const x = [0.1, 0.4, 1.3, 1.9, 3.0, 3.2, 4.7, 6];
    const y = [1, -0.5, 2, 2.5, -1, 0, 3, -2];
    const n = x.length;
    const h = x.slice(1).map((v, i) => v - x[i]!);
    // Unknowns M_0..M_{n-1} (second derivatives); rows: not-a-knot at x_1, interior C2 conditions, not-a-knot at x_{n-2}.
    const A: number[][] = [];
    const r: number[] = [];
    const row0 = new Array<number>(n).fill(0);
    row0[0] = -1 / h[0]!;
    row0[1] = 1 / h[0]! + 1 / h[1]!;
    row0[2] = -1 / h[1]!;
    A.push(row0);
    r.push(0);
    for (let i = 1; i < n - 1; i++) {
      const row = new Array<number>(n).fill(0);
      row[i - 1] = h[i - 1]!;
      row[i] = 2 * (h[i - 1]! + h[i]!);
      row[i + 1] = h[i]!;
      A.push(row);
      r.push(6 * ((y[i + 1]! - y[i]!) / h[i]! - (y[i]! - y[i - 1]!) / h[i - 1]!));
    }
    const rowN = new Array<number>(n).fill(0);
    rowN[n - 3] = -1 / h[n - 3]!;
    rowN[n - 2] = 1 / h[n - 3]! + 1 / h[n - 2]!;
    rowN[n - 1] = -1 / h[n - 2]!;
    A.push(rowN);
    r.push(0);
    // Gaussian elimination with partial pivoting.
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let i = c + 1; i < n; i++) if (Math.abs(A[i]![c]!) > Math.abs(A[p]![c]!)) p = i;
      [A[c], A[p]] = [A[p]!, A[c]!];
      [r[c], r[p]] = [r[p]!, r[c]!];
      for (let i = c + 1; i < n; i++) {
        const f = A[i]![c]! / A[c]![c]!;
        for (let k = c; k < n; k++) A[i]![k] = A[i]![k]! - f * A[c]![k]!;
        r[i] = r[i]! - f * r[c]!;
      }
    }
    const M = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let s = r[i]!;
      for (let k = i + 1; k < n; k++) s -= A[i]![k]! * M[k]!;
      M[i] = s / A[i]![i]!;
    }
    const naive = (t: number) => {
      let i = 0;
      while (i < n - 2 && t >= x[i + 1]!) i++;
      const hi = h[i]!;
      const a = x[i + 1]! - t;
      const b = t - x[i]!;
      return (
        (M[i]! * a ** 3 + M[i + 1]! * b ** 3) / (6 * hi) +
        (y[i]! / hi - (M[i]! * hi) / 6) * a +
        (y[i + 1]! / hi - (M[i + 1]! * hi) / 6) * b
      );
    };
    const s = createInterpolant(x, y, { kind: 'cubic' });
    for (let t = 0.1; t <= 6; t += 0.037)
      expect(Math.abs(evaluateInterpolant(s, t) - naive(t))).toBeLessThan(1e-12);
  });
});

describe('PCHIP', () => {
  test.prop(
    [
      gridArb(2, 30),
      fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 30, maxLength: 30 }),
      fc.boolean(),
    ],
    { seed: 4, numRuns: 150 },
  )('is monotone on monotone data', (x, steps, decreasing) => {
    const y: number[] = [];
    let acc = 0;
    for (let i = 0; i < x.length; i++) {
      acc += steps[i]!;
      y.push(decreasing ? -acc : acc);
    }
    const s = createInterpolant(x, y, { kind: 'pchip' });
    let prev = evaluateInterpolant(s, x[0]!);
    const m = 400;
    for (let k = 1; k <= m; k++) {
      const t = x[0]! + ((x[x.length - 1]! - x[0]!) * k) / m;
      const v = evaluateInterpolant(s, t);
      if (decreasing) expect(v).toBeLessThanOrEqual(prev + 1e-12 * (1 + Math.abs(prev)));
      else expect(v).toBeGreaterThanOrEqual(prev - 1e-12 * (1 + Math.abs(prev)));
      prev = v;
    }
  });
});

describe('the natural spline and the linear interpolant', () => {
  it('natural: second derivative 0 at both ends', () => {
    const s = createInterpolant([0, 1, 2, 4, 5], [1, 3, 2, 0, 4], { kind: 'natural' });
    expect(Math.abs(derivativeInterpolant(s, 0, 2))).toBeLessThan(1e-12);
    expect(Math.abs(derivativeInterpolant(s, 5 - 1e-12, 2))).toBeLessThan(1e-9);
  });
  test.prop(
    [
      gridArb(2, 10),
      fc.double({ min: -5, max: 5, noNaN: true }),
      fc.double({ min: -5, max: 5, noNaN: true }),
    ],
    {
      seed: 5,
      numRuns: 50,
    },
  )('linear reproduces a line everywhere, extrapolated too', (x, a, b) => {
    const s = createInterpolant(
      x,
      x.map((t) => a + b * t),
      { kind: 'linear' },
    );
    for (const t of [x[0]! - 2, x[0]!, (x[0]! + x[x.length - 1]!) / 2, x[x.length - 1]! + 3]) {
      expect(Math.abs(evaluateInterpolant(s, t) - (a + b * t))).toBeLessThan(
        1e-9 * (1 + Math.abs(a + b * t)),
      );
    }
  });
});

describe('extrapolation, refits and errors', () => {
  it('clamp holds the end values; extrapolate continues the end cubic', () => {
    const x = [0, 1, 2, 3, 4];
    const y = x.map((t) => t ** 3);
    const c = createInterpolant(x, y, { extrapolation: 'clamp' });
    expect(evaluateInterpolant(c, -3)).toBe(evaluateInterpolant(c, 0));
    expect(evaluateInterpolant(c, 9)).toBeCloseTo(64, 12);
    const e = createInterpolant(x, y);
    expect(evaluateInterpolant(e, 6)).toBeCloseTo(216, 9);
    expect(evaluateInterpolant(e, -2)).toBeCloseTo(-8, 9);
  });

  test.prop(
    [
      fc.constantFrom<InterpolationKind>(...INTERPOLATION_KINDS),
      fc.array(fc.double({ min: -9, max: 9, noNaN: true }), { minLength: 8, maxLength: 8 }),
    ],
    {
      seed: 6,
      numRuns: 40,
    },
  )('refitting in place equals building afresh', (kind, y) => {
    const x = [0.1, 0.5, 1, 2, 2.2, 3, 5, 8];
    const s = createInterpolant(x, x.map(Math.log), { kind });
    refitInterpolant(s, y);
    const f = createInterpolant(x, y, { kind });
    for (let t = -1; t < 9; t += 0.13) expect(evaluateInterpolant(s, t)).toBe(evaluateInterpolant(f, t));
  });

  it('rejects bad grids and values with one clear error', () => {
    expect(() => createInterpolant([0, 1, 1, 2], [0, 1, 2, 3])).toThrowErrorMatchingInlineSnapshot(
      `[AllotError: x must be strictly increasing (got x[1] = 1 and x[2] = 1)]`,
    );
    expect(() => createInterpolant([0, 1, 2], [0, 1, 2])).toThrow(/at least 4 points/);
    expect(() => createInterpolant([0, 1, 2, 3], [0, Number.NaN, 2, 3])).toThrow(
      /y\[1\] must be a finite number/,
    );
    expect(() => createInterpolant([0, 1, 2, 3], [0, 1, 2])).toThrow(/same length/);
    expect(() =>
      createInterpolant([0, 1, 2, 3], [0, 1, 2, 3], { kind: 'spline' as InterpolationKind }),
    ).toThrow(/interpolation must be one of/);
    const s = createInterpolant([0, 1, 2, 3], [0, 1, 2, 3]);
    expect(() => refitInterpolant(s, [1, 2])).toThrow(/length 4/);
    expect(() => derivativeInterpolant(s, 1, 4)).toThrow(/order/);
  });
});
