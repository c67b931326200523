import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/core/dist.js';
import { createQuantileDistribution, type Marginal, solveAllocation } from '../../src/forecast/index.js';
import { fc, test } from '../helpers/fast-check.js';

const HUB_LEVELS = [
  0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
  0.9, 0.95, 0.975, 0.99,
];

const exponential = (sigma: number): Marginal => ({
  quantile: (p: number) => -sigma * Math.log1p(-p),
  upperQuantile: (u: number) => -sigma * Math.log(u),
  upperQuantileLog: (logU: number) => -sigma * logU,
});

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

describe('solveAllocation', () => {
  it('matches its documented example', () => {
    const m = [1, 3].map((s) => ({ quantile: (p: number) => -s * Math.log1p(-p) }));
    expect(Array.from(solveAllocation(m, [8])[0]!.x)).toEqual([2, 6]);
  });

  it('gives the Bayes act proportional to sigma for exponential marginals (supplement section 4)', () => {
    const sigma = [1, 2, 3, 4, 5, 0.5];
    const S = sum(sigma);
    for (const K of [0.3, 5, 21, 100, 1000, 1e6]) {
      const a = solveAllocation(sigma.map(exponential), K)[0]!;
      for (let i = 0; i < sigma.length; i++) {
        expect(Math.abs(a.x[i]! - (K * sigma[i]!) / S)).toBeLessThanOrEqual(1e-12 * K);
      }
      // the shared level is tau = 1 - exp(-K / sum sigma) (q_tau = -sigma log(1 - tau))
      if (K < 1e4) expect(1 - a.tau[0]!).toBeCloseTo(Math.exp(-K / S), 12);
      expect(a.kind).toBe('exact');
    }
  });

  it('returns exactly the quantiles of a level whose quantiles sum to K (supplement section 6)', () => {
    const locs = [
      [3, 5, 8, 13, 21],
      [0.5, 0.7, 2.5, 2.6, 9],
      [100, 101, 102, 150, 400],
    ];
    const ps = [0.1, 0.3, 0.5, 0.7, 0.9];
    const d = locs.map((qs) => createQuantileDistribution(ps, qs));
    for (let k = 0; k < ps.length; k++) {
      let K = 0;
      for (const qs of locs) K += qs[k]!;
      const a = solveAllocation(d, K)[0]!;
      expect(Array.from(a.x)).toEqual(locs.map((qs) => qs[k]));
      expect(a.tau[0]).toBe(ps[k]);
    }
  });

  const forecastArb = fc.array(
    fc.record({
      start: fc.integer({ min: -20, max: 200 }),
      steps: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 40, noNaN: true })), {
        minLength: 23,
        maxLength: 23,
      }),
    }),
    { minLength: 1, maxLength: 8 },
  );

  test.prop(
    [forecastArb, fc.array(fc.double({ min: 0, max: 3000, noNaN: true }), { minLength: 2, maxLength: 5 })],
    {
      seed: 3,
      numRuns: 150,
    },
  )('allocations are >= 0, sum to K (relative 1e-12) and are non-decreasing in K', (locs, Ks) => {
    const d = locs.map(({ start, steps }) => {
      let q = start;
      return createQuantileDistribution(
        HUB_LEVELS,
        steps.map((s) => (q += s)),
      );
    });
    const sorted = [...Ks].sort((a, b) => a - b);
    const res = solveAllocation(d, sorted);
    for (let j = 0; j < res.length; j++) {
      const a = res[j]!;
      for (const x of a.x) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(x)).toBe(true);
      }
      expect(Math.abs(sum(a.x) - a.K)).toBeLessThanOrEqual(1e-12 * Math.max(a.K, 1));
      if (j > 0) {
        const b = res[j - 1]!;
        for (let i = 0; i < a.x.length; i++) expect(a.x[i]!).toBeGreaterThanOrEqual(b.x[i]! - 1e-12 * a.K);
      }
    }
  });

  it('takes the convex combination where the total jumps over K (flat CDF between two point masses)', () => {
    // masses at 1 (levels up to 0.5) and 5: Q jumps from 1 to 5 at tau = 0.5
    const d = createQuantileDistribution([0.1, 0.3, 0.5, 0.7, 0.9], [1, 1, 1, 5, 5]);
    const a = solveAllocation([d], [3])[0]!;
    expect(a.kind).toBe('jump');
    expect(a.x[0]).toBeCloseTo(3, 12);
    // two distinct repeated values: masses 0.5 and 0.3 normalised to 0.625 and 0.375, so Q jumps at tau = 0.625;
    // with a second, continuous location the whole jump of the total is taken by the first location
    const c = createQuantileDistribution(
      HUB_LEVELS,
      HUB_LEVELS.map((p) => 10 + 10 * p),
    );
    const b = solveAllocation([d, c], [3 + c.quantile(0.625)])[0]!;
    expect(b.kind).toBe('jump');
    expect(b.tau[0]).toBeCloseTo(0.625, 12);
    expect(b.x[0]).toBeCloseTo(3, 9);
    expect(b.x[1]).toBeCloseTo(c.quantile(0.625), 9);
  });

  it('flags point-mass forecasts that cannot reach K for tau in (0, 1) as degenerate', () => {
    const a = createQuantileDistribution([0.5], [10]);
    const b = createQuantileDistribution(
      HUB_LEVELS,
      HUB_LEVELS.map(() => 30),
    );
    // K below the smallest reachable total 40: scaled down
    const low = solveAllocation([a, b], [20])[0]!;
    expect(low.kind).toBe('degenerate-low');
    expect(low.degenerate).toBe(true);
    expect(Array.from(low.x)).toEqual([5, 15]);
    // K = 40 is exactly the point masses
    const mid = solveAllocation([a, b], [40])[0]!;
    expect(mid.degenerate).toBe(false);
    expect(Array.from(mid.x)).toEqual([10, 30]);
    // K above: surplus split equally
    const high = solveAllocation([a, b], [50])[0]!;
    expect(high.kind).toBe('degenerate-high');
    expect(Array.from(high.x)).toEqual([15, 35]);
  });

  it('clips negative quantiles (normal lower tails) at 0 and allocates K = 0 as all zeros', () => {
    const d = createQuantileDistribution(
      HUB_LEVELS,
      HUB_LEVELS.map((p) => -5 + 20 * p),
    );
    const e = createQuantileDistribution(
      HUB_LEVELS,
      HUB_LEVELS.map((p) => 50 + 20 * p),
    );
    const [z, small] = solveAllocation([d, e], [0, 1]);
    expect(Array.from(z!.x)).toEqual([0, 0]);
    expect(small!.x[0]).toBe(0);
    expect(small!.x[1]).toBeCloseTo(1, 12);
  });

  it('uses weights and losses: L_i (1 - F_i(x_i)) = lambda w_i and sum w_i x_i = K', () => {
    const sigma = [1, 2, 4];
    const w = [1, 2, 0.5];
    const L = [1, 3, 1];
    const a = solveAllocation(sigma.map(exponential), [20], { weights: w, loss: L })[0]!;
    let used = 0;
    for (let i = 0; i < 3; i++) used += w[i]! * a.x[i]!;
    expect(used).toBeCloseTo(20, 10);
    // exponential: 1 - F_i(x) = exp(-x / sigma_i); lambda_i = L_i exp(-x_i / sigma_i) / w_i all equal
    const lam = a.x.map((x, i) => (L[i]! * Math.exp(-x / sigma[i]!)) / w[i]!);
    expect(lam[1]).toBeCloseTo(lam[0]!, 9);
    expect(lam[2]).toBeCloseTo(lam[0]!, 9);
    // equal weights reduce to the unweighted solution
    const u = solveAllocation(sigma.map(exponential), [14], { weights: 2, loss: 5 })[0]!;
    expect(sum(u.x)).toBeCloseTo(7, 12);
  });

  it('resolves levels beyond double precision in normal tails: x_i = m_i + s_i z for one z, near 0 and near 1', () => {
    const m = [100, 400, 250, 30];
    const sd = [5, 20, 8, 2];
    const d = m.map((mu, i) =>
      createQuantileDistribution(
        HUB_LEVELS,
        HUB_LEVELS.map((p) => mu + sd[i]! * normalQuantile(p)),
      ),
    );
    const sumM = m.reduce((a, b) => a + b, 0);
    const sumS = sd.reduce((a, b) => a + b, 0);
    // z = 12 (tau = 1 − 1.8e-33) and z = 60 (tau = 1 − e^-1800: below the smallest double), and z = −8 (tau = 6e-16)
    for (const z of [12, 60, -8]) {
      const K = sumM + sumS * z;
      const a = solveAllocation(d, K)[0]!;
      expect(a.kind).toBe('exact');
      for (let i = 0; i < m.length; i++) expect(a.x[i]!).toBeCloseTo(m[i]! + sd[i]! * z, 6);
    }
  });

  it('rejects a negative or non-finite K, bad weights and no locations', () => {
    const m = [exponential(1)];
    expect(() => solveAllocation(m, [-1])).toThrow(/K must be a finite number >= 0 \(got -1\)/);
    expect(() => solveAllocation(m, [Number.NaN])).toThrow(/got NaN/);
    expect(() => solveAllocation(m, [1], { weights: [1, 2] })).toThrow(/one entry per location/);
    expect(() => solveAllocation(m, [1], { loss: 0 })).toThrow(/loss must be a finite number > 0/);
    expect(() => solveAllocation([], [1])).toThrow(/at least one location/);
  });
});
