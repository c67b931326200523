import { describe, expect, it } from 'vitest';
import { betaCdf } from '../../src/core/dist.js';
import { createRng } from '../../src/core/rng.js';
import {
  createMaxProbabilityWork,
  createQuadratureWork,
  lnBeta,
  lnGamma,
  maxProbabilitiesInto,
  maxProbabilitiesQuadratureInto,
  regularizedIncompleteBeta,
} from '../../src/experiments/index.js';

/** Random posteriors of 30 topics of the kinds the metrics meet: never seen, light, heavy and very narrow. */
function posteriors(kind: string, seed: number): { a: Float64Array; b: Float64Array } {
  const rng = createRng(seed);
  const K = 30;
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const m = 0.05 + 0.9 * rng.uniform();
    // Never-seen topics keep the light prior of strength 2 (shapes below 1: densities singular at 0 or 1).
    let n = 0;
    if (kind === 'light') n = rng.uniform() < 0.5 ? 0 : rng.int(12);
    if (kind === 'heavy') n = rng.uniform() < 0.3 ? 0 : 20 + rng.int(400);
    if (kind === 'narrow') n = k < 6 ? 20000 + rng.int(20000) : rng.uniform() < 0.5 ? 0 : rng.int(50);
    const p = kind === 'narrow' && k < 6 ? 0.3 + 0.004 * k : 0.1 + 0.5 * rng.uniform();
    const r = Math.round(n * p);
    a[k] = 2 * m + r;
    b[k] = 2 * (1 - m) + n - r;
  }
  return { a, b };
}

describe('P by quadrature (probability that each Beta is the largest)', () => {
  it('matches a 10^6-draw Monte Carlo within 2e-3 on random posteriors (never seen, light, heavy, very narrow)', () => {
    const K = 30;
    const mcWork = createMaxProbabilityWork(K);
    const qWork = createQuadratureWork(K);
    const rng = createRng(11);
    for (const [kind, seed] of [
      ['never', 1],
      ['light', 2],
      ['heavy', 3],
      ['narrow', 4],
    ] as const) {
      const { a, b } = posteriors(kind, seed);
      const q = new Float64Array(K);
      const mc = new Float64Array(K);
      const raw = maxProbabilitiesQuadratureInto(K, a, b, q, 0, qWork);
      maxProbabilitiesInto(K, a, b, 1_000_000, rng, mc, 0, mcWork);
      let maxErr = 0;
      for (let k = 0; k < K; k++) maxErr = Math.max(maxErr, Math.abs(q[k]! - mc[k]!));
      expect(maxErr, kind).toBeLessThan(2e-3);
      // Sums to 1 before the renormalisation (a measure of the quadrature error), and exactly after it.
      expect(Math.abs(raw - 1), kind).toBeLessThan(1e-4);
      expect(q.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    }
  }, 300_000); // 1.2e8 Beta draws: 12-13 s alone on a 2-core machine, 17-32 s beside the rest of npm test

  it('agrees with a 50x finer grid within 1e-5, and is exact on closed forms', () => {
    const K = 30;
    const work = createQuadratureWork(K);
    for (const kind of ['never', 'light', 'heavy', 'narrow']) {
      for (let seed = 20; seed < 25; seed++) {
        const { a, b } = posteriors(kind, seed);
        const q = new Float64Array(K);
        const f = new Float64Array(K);
        maxProbabilitiesQuadratureInto(K, a, b, q, 0, work);
        maxProbabilitiesQuadratureInto(K, a, b, f, 0, work, { maxStep: 0.04, stepSd: 0.03 });
        for (let k = 0; k < K; k++)
          expect(Math.abs(q[k]! - f[k]!), `${kind} ${seed} ${k}`).toBeLessThan(1e-5);
      }
    }
    // X ~ U(0, 1), Y ~ Beta(2, 1): P(X > Y) = integral x^2 dx = 1/3.
    const p = new Float64Array(2);
    maxProbabilitiesQuadratureInto(2, [1, 2], [1, 1], p, 0);
    expect(p[0]).toBeCloseTo(1 / 3, 6);
    // Identical laws: 1/K each, including singular ones (shapes 0.3).
    const p3 = new Float64Array(3);
    maxProbabilitiesQuadratureInto(3, [0.3, 0.3, 0.3], [0.3, 0.3, 0.3], p3, 0);
    for (const v of p3) expect(v).toBeCloseTo(1 / 3, 6);
    // One topic: P = 1.
    const p1 = new Float64Array(1);
    maxProbabilitiesQuadratureInto(1, [3], [4], p1, 0);
    expect(p1[0]).toBe(1);
  });

  it('ln Gamma and ln B are accurate', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lnGamma(101)).toBeCloseTo(363.73937555556347, 9);
    expect(lnBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });

  it('the hand-written incomplete Beta agrees with @stdlib within 1e-12 (shapes 0.08 to 240, x near 0, 1 and the mean)', () => {
    const rng = createRng(5);
    let maxErr = 0;
    for (let t = 0; t < 20_000; t++) {
      const a = Math.exp(8 * rng.uniform() - 2.5);
      const b = Math.exp(8 * rng.uniform() - 2.5);
      const u = rng.uniform();
      const x =
        t % 3 === 0
          ? u ** 4
          : t % 3 === 1
            ? 1 - u ** 4
            : Math.min(1, Math.max(0, a / (a + b) + 0.1 * (u - 0.5)));
      maxErr = Math.max(
        maxErr,
        Math.abs(regularizedIncompleteBeta(x, a, b, lnBeta(a, b)) - betaCdf(x, a, b)),
      );
    }
    expect(maxErr).toBeLessThan(1e-12);
    expect(regularizedIncompleteBeta(0, 2, 3, lnBeta(2, 3))).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3, lnBeta(2, 3))).toBe(1);
    // I_x(1, 1) = x; I_x(2, 1) = x^2.
    expect(regularizedIncompleteBeta(0.3, 1, 1, 0)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.3, 2, 1, lnBeta(2, 1))).toBeCloseTo(0.09, 14);
  });
});
