import { describe, expect, it } from 'vitest';
import {
  oracleAllocation,
  pinball,
  relativeSkill,
  scoreAllocation,
  scoreQuantiles,
} from '../../src/forecast/index.js';
import { fc, test } from '../helpers/fast-check.js';

const HUB_LEVELS = [
  0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
  0.9, 0.95, 0.975, 0.99,
];

describe('allocation score', () => {
  it('matches its documented example and the closed-form oracle L·max(0, sum y − K)', () => {
    expect(scoreAllocation([2, 6], [3, 5], 8).raw).toBe(1);
    const s = scoreAllocation([2, 6], [3, 5], 8, { loss: 2 });
    expect(s.raw).toBe(2);
    expect(s.oracle).toBe(0);
    expect(Array.from(s.shortfall)).toEqual([1, 0]);
    // sum y = 8 above K = 5 by 3: oracle 3 (alloscore's bisection returns ~0 when the excess is under 1 % of K)
    const t = scoreAllocation([1, 4], [3, 5], 5);
    expect(t.oracle).toBe(3);
    expect(t.raw).toBe(3);
    expect(t.adjusted).toBe(0);
  });

  test.prop(
    [
      fc.array(
        fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })),
        {
          minLength: 1,
          maxLength: 10,
        },
      ),
    ],
    { seed: 4, numRuns: 200 },
  )('the oracle-adjusted score of any allocation summing to K is >= 0', (pairs) => {
    const x = pairs.map((p) => p[0]);
    const y = pairs.map((p) => p[1]);
    const K = x.reduce((a, b) => a + b, 0);
    const s = scoreAllocation(x, y, K);
    expect(s.adjusted).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, K));
    const ox = oracleAllocation(y, K);
    expect(ox.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(K * (1 + 1e-12) + 1e-12);
  });

  it('fills the oracle greedily by L/w with weights', () => {
    // location 1 has the higher loss per unit of budget: filled first
    const ox = oracleAllocation([5, 5], 6, { loss: [1, 2] });
    expect(Array.from(ox)).toEqual([1, 5]);
  });

  it('rejects mismatched lengths and non-finite input', () => {
    expect(() => scoreAllocation([1], [1, 2], 1)).toThrow(/same length/);
    expect(() => scoreAllocation([Number.NaN], [1], 1)).toThrow(/x\[0\] must be finite/);
    expect(() => scoreAllocation([1], [1], -1)).toThrow(/K must be a finite number >= 0/);
  });
});

describe('quantile scores', () => {
  it('pinball and WIS match their documented examples', () => {
    expect(pinball(0.9, 10, 12)).toBeCloseTo(1.8, 15);
    expect(pinball(0.1, 10, 12)).toBeCloseTo(0.2, 15);
    expect(scoreQuantiles([0.25, 0.5, 0.75], [8, 10, 12], 11).wis).toBe(1);
  });

  test.prop(
    [
      fc.array(fc.double({ min: 0, max: 30, noNaN: true }), { minLength: 23, maxLength: 23 }),
      fc.double({ min: -50, max: 500, noNaN: true }),
    ],
    { seed: 5, numRuns: 200 },
  )('WIS = 2·mean pinball over the 23 hub levels, and its three parts add up', (steps, y) => {
    let q = 0;
    const qs = steps.map((s) => (q += s));
    const s = scoreQuantiles(HUB_LEVELS, qs, y);
    let m = 0;
    for (const v of s.pinball) m += v;
    m /= 23;
    expect(s.wis).toBeCloseTo(2 * m, 9);
    expect(s.dispersion + s.overprediction + s.underprediction).toBeCloseTo(s.wis, 9);
    expect(s.intervals).toBe(11);
    expect(s.aeMedian).toBeCloseTo(Math.abs(y - qs[11]!), 12);
    expect(s.coverage50).toBe(y >= qs[6]! && y <= qs[16]! ? 1 : 0);
    expect(s.coverage95).toBe(y >= qs[1]! && y <= qs[21]! ? 1 : 0);
  });

  it('splits the penalty into over- and underprediction by the side of the observation', () => {
    const lo = scoreQuantiles([0.25, 0.5, 0.75], [8, 10, 12], 4);
    expect(lo.underprediction).toBe(0);
    expect(lo.overprediction).toBeGreaterThan(0);
    const hi = scoreQuantiles([0.25, 0.5, 0.75], [8, 10, 12], 20);
    expect(hi.overprediction).toBe(0);
    expect(hi.coverage50).toBe(0);
    expect(hi.coverage95).toBeNull();
  });
});

describe('relativeSkill', () => {
  it('is the ratio of geometric means of pairwise mean-score ratios over shared units', () => {
    const units = [
      { model: 'a', unit: 'u1', score: 2 },
      { model: 'a', unit: 'u2', score: 4 },
      { model: 'b', unit: 'u1', score: 1 },
      { model: 'b', unit: 'u2', score: 2 },
      { model: 'b', unit: 'u3', score: 100 }, // not shared with a: ignored in the a/b ratio
    ];
    const r = relativeSkill(units, 'b');
    const a = r.find((x) => x.model === 'a')!;
    // theta_a = sqrt(1 · 2), theta_b = sqrt(1 · 1/2): relative = 2
    expect(a.relative).toBeCloseTo(2, 14);
    expect(r.find((x) => x.model === 'b')!.relative).toBe(1);
    expect(() => relativeSkill(units, 'zz')).toThrow(/baseline model "zz"/);
  });
});

describe('expected shortfall closed forms', () => {
  it('match their documented examples and a seeded Monte Carlo estimate', async () => {
    const { expectedShortfallGamma, expectedShortfallLognormal } = await import(
      '../../src/forecast/index.js'
    );
    const { createRng } = await import('../../src/core/rng.js');
    expect(expectedShortfallLognormal(0, 0, 1)).toBeCloseTo(Math.exp(0.5), 14);
    expect(expectedShortfallGamma(0, 2, 3)).toBe(6);
    const rng = createRng(11);
    let a = 0;
    let b = 0;
    const n = 200000;
    for (let i = 0; i < n; i++) {
      a += Math.max(0, Math.exp(rng.normal(1, 0.7)) - 4);
      b += Math.max(0, rng.gamma(2, 3) - 5);
    }
    // Monte Carlo standard errors are below 0.01 here; 0.03 is > 3 s.e.
    expect(Math.abs(a / n - expectedShortfallLognormal(4, 1, 0.7))).toBeLessThan(0.03);
    expect(Math.abs(b / n - expectedShortfallGamma(5, 2, 3))).toBeLessThan(0.03);
  });
});
