import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/core/dist.js';
import { createRng } from '../../src/core/rng.js';
import { createQuantileDistribution } from '../../src/forecast/index.js';
import { fc, test } from '../helpers/fast-check.js';

const HUB_LEVELS = [
  0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
  0.9, 0.95, 0.975, 0.99,
];

describe('createQuantileDistribution', () => {
  it('matches its documented example', () => {
    const d = createQuantileDistribution([0.25, 0.5, 0.75], [1, 2, 4]);
    expect(d.quantile(0.5)).toBe(2);
    expect(d.cdf(4)).toBe(0.75);
  });

  test.prop(
    [
      fc.array(fc.double({ min: 0.001, max: 50, noNaN: true }), { minLength: 23, maxLength: 23 }),
      fc.double({ min: -100, max: 1000, noNaN: true }),
    ],
    { seed: 1, numRuns: 200 },
  )(
    'reproduces every input quantile exactly (cdf and quantile) for distinct hub quantiles',
    (steps, start) => {
      const qs: number[] = [];
      let q = start;
      for (const s of steps) {
        q += s;
        qs.push(q);
      }
      const d = createQuantileDistribution(HUB_LEVELS, qs);
      for (let k = 0; k < 23; k++) {
        expect(d.quantile(HUB_LEVELS[k]!)).toBe(qs[k]);
        expect(d.cdf(qs[k]!)).toBe(HUB_LEVELS[k]);
      }
    },
  );

  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 23, maxLength: 23 }),
      fc.integer({ min: 0, max: 50 }),
    ],
    { seed: 2, numRuns: 200 },
  )('reproduces every input quantile of integer forecasts with repeats (point masses)', (steps, start) => {
    const qs: number[] = [];
    let q = start;
    for (const s of steps) {
      q += s;
      qs.push(q);
    }
    const d = createQuantileDistribution(HUB_LEVELS, qs);
    for (let k = 0; k < 23; k++) expect(d.quantile(HUB_LEVELS[k]!)).toBe(qs[k]);
    // F is a CDF: non-decreasing, in [0, 1], and Q(F(x)) <= x <= ... (generalised inverse).
    let prev = 0;
    for (let x = start - 5; x <= q + 5; x += 0.37) {
      const f = d.cdf(x);
      expect(f).toBeGreaterThanOrEqual(prev);
      expect(f).toBeLessThanOrEqual(1);
      prev = f;
    }
    for (const p of [0.005, 0.013, 0.2, 0.5, 0.77, 0.995])
      expect(d.cdf(d.quantile(p))).toBeGreaterThanOrEqual(p - 1e-12);
  });

  it('has exact normal tails when the input is normal: the tails are the normal through the two outer pairs', () => {
    const qs = HUB_LEVELS.map((p) => normalQuantile(p, 100, 15));
    const d = createQuantileDistribution(HUB_LEVELS, qs);
    // below 0.01 and above 0.99 the fitted normal is N(100, 15) itself (up to rounding of the fit)
    expect(d.quantile(0.001)).toBeCloseTo(normalQuantile(0.001, 100, 15), 8);
    expect(d.quantile(0.9999)).toBeCloseTo(normalQuantile(0.9999, 100, 15), 8);
    expect(d.lowerTail.location).toBeCloseTo(100, 9);
    expect(d.upperTail.scale).toBeCloseTo(15, 9);
    // the interior spline is close to the normal CDF between the quantiles
    for (const x of [70, 85, 95, 101, 113, 125])
      expect(Math.abs(d.cdf(x) - normalCdf(x, 100, 15))).toBeLessThan(2e-3);
  });

  it('turns runs of repeated quantiles into point masses, extending runs at the ends to level 0 and 1', () => {
    // runs {1, 1} (extended to p = 0: mass 0.2) and {3, 3} (extended to p = 1: mass 0.6); w = 0.8
    const d = createQuantileDistribution([0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 2, 3, 3]);
    expect(d.masses.map((m) => [m.at, m.mass])).toEqual([
      [1, 0.2],
      [3, 0.6],
    ]);
    expect(d.discreteWeight).toBeCloseTo(0.8, 15);
    expect(d.cdf(0.999)).toBe(0); // no lower tail below a point mass at the lowest value
    expect(d.cdf(1)).toBe(0.2);
    expect(d.cdf(2)).toBe(0.3);
    expect(d.cdf(3)).toBe(1);
    expect(d.cdf(1e9)).toBe(1);
    expect(d.quantile(0)).toBe(1);
    expect(d.quantile(0.15)).toBe(1);
    expect(d.quantile(0.3)).toBe(2);
    expect(d.quantile(0.45)).toBe(3);
    expect(d.quantile(1)).toBe(3);
  });

  it('treats a single value (or all values equal) as a point mass of weight 1', () => {
    for (const d of [
      createQuantileDistribution([0.5], [7]),
      createQuantileDistribution(
        HUB_LEVELS,
        HUB_LEVELS.map(() => 7),
      ),
    ]) {
      expect(d.discreteWeight).toBe(1);
      expect(d.quantile(0)).toBe(7);
      expect(d.quantile(0.01)).toBe(7);
      expect(d.quantile(1)).toBe(7);
      expect(d.cdf(6.999)).toBe(0);
      expect(d.cdf(7)).toBe(1);
    }
  });

  it('gives two point masses for two distinct values with a repeat (lone value gets its tail probability)', () => {
    // 2 repeats at the top: mass 1 - 0.5 = 0.5; lone 1 at level 0.25: mass 0.25; normalised 1/3 and 2/3
    const d = createQuantileDistribution([0.25, 0.5, 0.75], [1, 2, 2]);
    expect(d.masses.map((m) => m.at)).toEqual([1, 2]);
    expect(d.masses[0]!.mass).toBeCloseTo(1 / 3, 15);
    expect(d.cdf(1.5)).toBeCloseTo(1 / 3, 15);
    expect(d.quantile(0.3)).toBe(1);
    expect(d.quantile(0.4)).toBe(2);
  });

  it('repairs crossing quantiles by sorting the values, as distfromq does', () => {
    const a = createQuantileDistribution([0.25, 0.5, 0.75], [3, 1, 2]);
    const b = createQuantileDistribution([0.25, 0.5, 0.75], [1, 2, 3]);
    expect(Array.from(a.knotQ)).toEqual(Array.from(b.knotQ));
    expect(Array.from(a.knotP)).toEqual(Array.from(b.knotP));
  });

  it('drops NaN pairs and rejects levels outside (0, 1), repeated levels and length mismatches', () => {
    const d = createQuantileDistribution([0.25, 0.5, 0.75], [1, Number.NaN, 3]);
    expect(d.levels.length).toBe(2);
    expect(() => createQuantileDistribution([0, 0.5], [1, 2])).toThrow(
      /ps\[0\] must be a probability in \(0, 1\) \(got 0\)/,
    );
    expect(() => createQuantileDistribution([0.5, 1.2], [1, 2])).toThrow(/got 1.2/);
    expect(() => createQuantileDistribution([0.5, 0.5], [1, 2])).toThrow(/repeat/);
    expect(() => createQuantileDistribution([0.5], [1, 2])).toThrow(/same length/);
  });

  it('supports lognormal tails (positive support, a point mass at 0 for a zero quantile)', () => {
    const qs = HUB_LEVELS.map((p) => Math.exp(normalQuantile(p, 2, 0.5)));
    const d = createQuantileDistribution(HUB_LEVELS, qs, { tail: 'lognormal' });
    expect(d.quantile(0.9999)).toBeCloseTo(Math.exp(normalQuantile(0.9999, 2, 0.5)), 6);
    expect(d.cdf(0)).toBe(0);
    const z = createQuantileDistribution([0.1, 0.5, 0.9], [0, 2, 5], { tail: 'lognormal' });
    expect(z.masses[0]!.at).toBe(0);
    expect(z.quantile(0.05)).toBe(0);
  });

  it('samples by inversion with a seeded Rng: same seed, same draws; the empirical CDF matches', () => {
    const d = createQuantileDistribution(
      HUB_LEVELS,
      HUB_LEVELS.map((p) => normalQuantile(p, 10, 2)),
    );
    const a = d.sample(createRng(7), 20000);
    const b = d.sample(createRng(7), 20000);
    expect(Array.from(a.subarray(0, 5))).toEqual(Array.from(b.subarray(0, 5)));
    for (const x of [7, 9.5, 10, 12.5]) {
      let c = 0;
      for (const v of a) if (v <= x) c++;
      expect(Math.abs(c / a.length - d.cdf(x))).toBeLessThan(0.015); // > 4 standard errors
    }
  });
});

describe('stdNormalQuantile', () => {
  it('is accurate far in the lower tail, where the stdlib quantile loses precision or returns -Infinity', async () => {
    const { stdNormalQuantile } = await import('../../src/forecast/index.js');
    expect(stdNormalQuantile(1e-300)).toBeCloseTo(-37.0470962993612, 12);
    for (const p of [1e-3, 4e-10, 1e-20, 1e-100, 1e-250]) {
      // Φ(Φ⁻¹(p)) = p up to the representable precision of z: a one-ulp change of z moves ln p by about
      // z² · 2⁻⁵², which is 1.3e-13 at p = 1e-250 (z ≈ −33.8); allow that plus 1e-14.
      const z = stdNormalQuantile(p);
      expect(Math.abs(normalCdf(z) / p - 1)).toBeLessThan(z * z * 2 ** -52 + 1e-14);
    }
    expect(stdNormalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(stdNormalQuantile(0.3)).toBe(normalQuantile(0.3));
  });
});
