import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { DP_LIMITS } from '../../src/dp/config.js';
import {
  evaluateInterpolant,
  normalizeCakeConfig,
  pairwiseSum,
  policyFunction,
  simulateCake,
  solveCakeEating,
  stationaryDistribution,
  tauchen,
  valueFunction,
} from '../../src/dp/index.js';
import { fc, test } from '../helpers/fast-check.js';

const EPS = [-1.4, -0.55, 0, 0.55, 1.4];
const PROB = [0.1, 0.2, 0.4, 0.2, 0.1];

describe('value function iteration', () => {
  it('satisfies the Bellman equation at the fixed point (brute-force check of the maximisation)', () => {
    const sol = solveCakeEating({ grid: { min: 0.1, max: 5, size: 20 }, utility: { type: 'log' } });
    expect(sol.converged).toBe(true);
    const v = valueFunction(sol);
    const beta = 0.9;
    for (let i = 0; i < sol.grid.length; i += 3) {
      const w = sol.grid[i]!;
      let best = Number.NEGATIVE_INFINITY;
      for (let k = 1; k < 20000; k++) {
        const wp = 1e-10 + ((w - 2e-10) * k) / 20000;
        best = Math.max(best, Math.log(w - wp) + beta * evaluateInterpolant(v, wp));
      }
      // The last iteration's V is one Bellman step from the interpolated V; both agree at the fixed point.
      expect(Math.abs(best - sol.value[i]!)).toBeLessThan(1e-4);
      expect(sol.policy[i]!).toBeGreaterThan(0);
      expect(sol.policy[i]!).toBeLessThan(w);
    }
  });

  it('gives identical results for i.i.d. shocks and a Markov chain whose rows all equal the probabilities', () => {
    const iid = solveCakeEating({
      shocks: { values: EPS, probabilities: PROB },
      stop: { maxIterations: 12 },
    });
    const mk = solveCakeEating({
      shocks: { values: EPS, transition: EPS.map(() => PROB) },
      stop: { maxIterations: 12 },
    });
    expect(Array.from(mk.value)).toEqual(Array.from(iid.value));
    expect(Array.from(mk.policy)).toEqual(Array.from(iid.policy));
  });

  it('reports converged: false (not an error) when the iteration cap is hit', () => {
    const sol = solveCakeEating({ stop: { maxIterations: 5 } });
    expect(sol.converged).toBe(false);
    expect(sol.iterations).toBe(5);
    expect(sol.distances).toHaveLength(5);
  });

  it('uses the sup norm when asked, and value rises with the cake for every shock and interpolation', () => {
    for (const interpolation of ['cubic', 'natural', 'pchip', 'linear'] as const) {
      const sol = solveCakeEating({
        interpolation,
        shocks: { values: EPS, probabilities: PROB },
        stop: { metric: 'sup', tolerance: 1e-6, maxIterations: 400 },
      });
      expect(sol.converged).toBe(true);
      expect(sol.distances.at(-1)!).toBeLessThanOrEqual(1e-6);
      for (let j = 0; j < 5; j++) {
        for (let i = 1; i < sol.grid.length; i++)
          expect(sol.value[i * 5 + j]!).toBeGreaterThan(sol.value[(i - 1) * 5 + j]!);
      }
    }
  });

  it('a higher shock means eating more today (policy falls with eps) in the converged i.i.d. solve', () => {
    const sol = solveCakeEating({ shocks: { values: EPS, probabilities: PROB } });
    for (let i = 5; i < sol.grid.length; i++) {
      for (let j = 1; j < 5; j++)
        expect(sol.policy[i * 5 + j]!).toBeLessThan(sol.policy[i * 5 + j - 1]! + 1e-4);
    }
  });

  test.prop([fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 0, maxLength: 400 })], {
    seed: 9,
    numRuns: 100,
  })('numpy pairwise summation agrees with a plain sum to rounding', (xs) => {
    const a = Float64Array.from(xs);
    const plain = xs.reduce((s, v) => s + v, 0);
    const scale = xs.reduce((s, v) => s + Math.abs(v), 0);
    expect(Math.abs(pairwiseSum(a, 0, a.length) - plain)).toBeLessThanOrEqual(1e-12 * (1 + scale));
  });
});

describe('Tauchen discretisation', () => {
  test.prop(
    [
      fc.integer({ min: 2, max: 25 }),
      fc.double({ min: -0.99, max: 0.99, noNaN: true }),
      fc.double({ min: 0.01, max: 3, noNaN: true }),
    ],
    {
      seed: 10,
      numRuns: 100,
    },
  )('rows are probability vectors summing to 1', (n, rho, sigma) => {
    const c = tauchen(n, rho, sigma);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const p = c.transition[j * n + k]!;
        expect(p).toBeGreaterThanOrEqual(0);
        s += p;
      }
      expect(Math.abs(s - 1)).toBeLessThan(1e-12);
    }
  });

  it('spans +/- m unconditional standard deviations and keeps the persistence', () => {
    const c = tauchen(9, 0.9, 0.1, { m: 3 });
    const sd = 0.1 / Math.sqrt(1 - 0.81);
    expect(c.values[0]!).toBeCloseTo(-3 * sd, 14);
    expect(c.values[8]!).toBeCloseTo(3 * sd, 14);
    // E[y' | y_j] ~ rho y_j for interior states.
    for (let j = 2; j <= 6; j++) {
      let m = 0;
      for (let k = 0; k < 9; k++) m += c.transition[j * 9 + k]! * c.values[k]!;
      expect(Math.abs(m - 0.9 * c.values[j]!)).toBeLessThan(0.01);
    }
    const pi = stationaryDistribution(9, c.transition);
    expect(pi.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('rejects |rho| >= 1 and sigma <= 0', () => {
    expect(() => tauchen(5, 1, 0.1)).toThrowErrorMatchingInlineSnapshot(
      `[AllotError: rho must be in (-1, 1) (got 1)]`,
    );
    expect(() => tauchen(5, 0.5, 0)).toThrow(/sigma must be > 0/);
    expect(() => tauchen(1, 0.5, 1)).toThrow(/n must be an integer in \[2, 1000\]/);
    expect(() => tauchen(1001, 0.5, 1)).toThrow(/n must be an integer in \[2, 1000\] \(got 1001\)/);
    expect(() => tauchen(5, 0.5, 1e308)).toThrow(/sigma, m and mu give a grid/);
  });
});

describe('policy function and simulated paths', () => {
  const sol = solveCakeEating({ shocks: { values: EPS, probabilities: PROB }, stop: { maxIterations: 60 } });

  it('the policy interpolant passes through the solved policy', () => {
    const p = policyFunction(sol, 2);
    for (let i = 0; i < sol.grid.length; i++)
      expect(evaluateInterpolant(p, sol.grid[i]!)).toBeCloseTo(sol.policy[i * 5 + 2]!, 12);
  });

  it('a path is feasible, eats the cake down, and the same seed gives the same path', () => {
    const a = simulateCake(sol, { w0: 8, periods: 40 }, createRng(3));
    const b = simulateCake(sol, { w0: 8, periods: 40 }, createRng(3));
    expect(Array.from(a.cake)).toEqual(Array.from(b.cake));
    expect(a.cake).toHaveLength(41);
    for (let t = 0; t < 40; t++) {
      expect(a.cake[t + 1]!).toBeLessThanOrEqual(a.cake[t]!);
      expect(a.cake[t + 1]!).toBeGreaterThanOrEqual(0);
      expect(a.consumption[t]!).toBeCloseTo(a.cake[t]! - a.cake[t + 1]!, 14);
    }
    const c = simulateCake(sol, { w0: 8, periods: 40 }, createRng(4));
    expect(Array.from(c.shocks)).not.toEqual(Array.from(a.shocks));
  });

  it('shock frequencies follow the i.i.d. probabilities', () => {
    const p = simulateCake(sol, { w0: 5, periods: 20000 }, createRng(11));
    const counts = [0, 0, 0, 0, 0];
    for (const s of p.shocks) counts[s]!++;
    for (let j = 0; j < 5; j++) expect(Math.abs(counts[j]! / 20000 - PROB[j]!)).toBeLessThan(0.015);
  });
});

describe('configuration errors (one clear error each)', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'grid not increasing',
      { grid: { points: [0.1, 0.5, 0.4, 1, 2] } },
      /grid.points must be strictly increasing/,
    ],
    ['grid not positive', { grid: { points: [0, 0.5, 1, 2] } }, /grid.points\[0\] must be > 0 \(got 0\)/],
    ['grid min <= 0', { grid: { min: -1, max: 3, size: 10 } }, /grid\[0\] must be > 0/],
    ['beta = 1', { beta: 1 }, /beta must be in \(0, 1\) \(got 1\)/],
    ['beta < 0', { beta: -0.1 }, /beta must be in \(0, 1\)/],
    [
      'probabilities',
      { shocks: { values: [0, 1], probabilities: [0.5, 0.6] } },
      /shocks.probabilities must sum to 1 within 1e-9/,
    ],
    [
      'transition row',
      {
        shocks: {
          values: [0, 1],
          transition: [
            [0.5, 0.5],
            [0.3, 0.6],
          ],
        },
      },
      /shocks.transition\[1\] must sum to 1/,
    ],
    [
      'transition shape',
      {
        shocks: {
          values: [0, 1],
          transition: [
            [1, 0, 0],
            [0, 1, 0],
          ],
        },
      },
      /shocks.transition\[0\] must have 2 entries/,
    ],
    [
      'probabilities length',
      { shocks: { values: [0, 1, 2], probabilities: [0.5, 0.5] } },
      /one entry per shock value \(3\) \(got 2\)/,
    ],
    ['initial shape', { initial: [1, 2, 3] }, /initial must have one value per grid point \(30\) \(got 3\)/],
    [
      'initial matrix shape',
      { shocks: { values: [0, 1], probabilities: [0.5, 0.5] }, initial: [[1, 2, 3]] },
      /initial must have 30 rows/,
    ],
    ['fewer than 4 points for cubic', { grid: { points: [0.1, 0.2, 0.3] } }, /at least 4 points for cubic/],
    ['non-finite', { beta: Number.POSITIVE_INFINITY }, /beta must be a finite number/],
    [
      'non-finite entry',
      { grid: { points: [0.1, 0.2, null, 0.4] } },
      /grid.points\[2\] must be a finite number \(got null\)/,
    ],
    ['unknown key', { betta: 0.9 }, /betta is not a known key/],
    ['unknown nested key', { stop: { tol: 1 } }, /stop.tol is not a known key/],
    ['wrong type', { beta: '0.9' }, /beta must be a number \(got "0.9"\)/],
    [
      'unknown interpolation',
      { interpolation: 'quintic' },
      /interpolation must be one of cubic, natural, pchip, linear/,
    ],
    [
      'both shock forms',
      { shocks: { values: [0], probabilities: [1], transition: [[1]] } },
      /exactly one of/,
    ],
    ['bounds', { bounds: { lowerOffset: 0.2 } }, /bounds leave no room/],
  ];
  for (const [name, cfg, re] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => normalizeCakeConfig(cfg)).toThrow(re);
    });
  }
  it('accepts number[] initial with shocks (same guess in every state) and [grid][1] without', () => {
    const grid = { points: [0.5, 1, 2, 3] };
    const a = normalizeCakeConfig({
      grid,
      shocks: { values: [0, 1], probabilities: [0.5, 0.5] },
      initial: [1, 2, 3, 4],
    });
    expect(Array.from(a.initial)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    const b = normalizeCakeConfig({ grid, initial: [[1], [2], [3], [4]] });
    expect(Array.from(b.initial)).toEqual([1, 2, 3, 4]);
  });
});

describe('the fast kernel', () => {
  it('agrees with the exact (scipy-faithful) kernel to rounding in V and reproduces the printed distances', () => {
    const cfg = { shocks: { values: EPS, probabilities: PROB }, stop: { maxIterations: 24 } };
    const exact = solveCakeEating(cfg);
    const fast = solveCakeEating({ ...cfg, kernel: 'fast' });
    for (let i = 0; i < exact.value.length; i++)
      expect(Math.abs(fast.value[i]! - exact.value[i]!)).toBeLessThan(1e-11);
    for (let i = 0; i < exact.policy.length; i++)
      expect(Math.abs(fast.policy[i]! - exact.policy[i]!)).toBeLessThan(1e-5);
    for (let i = 0; i < 24; i++)
      expect(Math.abs(fast.distances[i]! / exact.distances[i]! - 1)).toBeLessThan(1e-8);
    expect(() => normalizeCakeConfig({ kernel: 'turbo' })).toThrow(/kernel must be one of exact, fast/);
  });
});

describe('config limits and null', () => {
  it('a null config or section is refused, not taken as the defaults', () => {
    expect(() => normalizeCakeConfig(null)).toThrow(/config must be an object \(got null\)/);
    expect(() => normalizeCakeConfig({ grid: null })).toThrow(/grid must be an object \(got null\)/);
    expect(() => normalizeCakeConfig({ stop: null })).toThrow(/stop must be an object/);
    expect(() => normalizeCakeConfig({ initial: null })).toThrow(/initial must be/);
    expect(normalizeCakeConfig({}).grid).toHaveLength(30);
  });

  it('sizes above the documented maxima fail before any allocation', () => {
    expect(() => normalizeCakeConfig({ grid: { size: 1e8 } })).toThrow(
      /grid.size must be an integer in \[2, 100000\]/,
    );
    expect(() => normalizeCakeConfig({ stop: { tolerance: 0, maxIterations: 1e9 } })).toThrow(
      /stop.maxIterations must be an integer in \[1, 100000\]/,
    );
    const values = Array.from({ length: DP_LIMITS.shockStates + 1 }, (_, i) => i);
    const probabilities = values.map(() => 1 / values.length);
    expect(() => normalizeCakeConfig({ shocks: { values, probabilities } })).toThrow(
      /shocks.values must have <= 1000 entries \(got 1001\)/,
    );
    const v = Array.from({ length: 200 }, (_, i) => i);
    expect(() =>
      normalizeCakeConfig({
        grid: { size: 10_000 },
        shocks: { values: v, probabilities: v.map(() => 1 / 200) },
      }),
    ).toThrow(/grid points x shock states must be <= 1000000 \(got 10000 x 200 = 2000000\)/);
  });
});
