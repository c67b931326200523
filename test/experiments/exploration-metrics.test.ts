import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { sampleBeta } from '../../src/core/samplers.js';
import {
  betaPosteriorInto,
  explorationMetrics,
  explorationMetricsInto,
  maxProbabilitiesQuadratureInto,
  topicMaxProbabilities,
  userDayExplorationMetrics,
} from '../../src/experiments/index.js';

describe('exploration-efficiency metrics (section 4.2, Eqs. 2-5)', () => {
  // Hand-computed: P = (0.5, 0.3, 0.2, 0), today's recommendations (2, 0, 1, 1) so Q = (0.5, 0, 0.25, 0.25).
  // Topic 1 is missing from Q: impute 0.01 and renormalise by 1 + 1 * 0.01 = 1.01, so
  // EI = 0.5 ln(0.5 / (0.5/1.01)) + 0.3 ln(0.3 / (0.01/1.01)) + 0.2 ln(0.2 / (0.25/1.01)) = 0.9856808350889726,
  // TD = 3, IU = -(0.5 ln 0.5 + 0.3 ln 0.3 + 0.2 ln 0.2) = 1.0296530140645737, TE = 0.25 + 0 + 0.05 + 0 = 0.3.
  it('computes EI (with the imputation of missing topics), TD, IU and TE on a hand-computed example', () => {
    const m = explorationMetrics([0.5, 0.3, 0.2, 0], [2, 0, 1, 1], 0.01);
    expect(m.EI).toBeCloseTo(0.9856808350889726, 13);
    expect(m.TD).toBe(3);
    expect(m.IU).toBeCloseTo(1.0296530140645737, 13);
    expect(m.TE).toBeCloseTo(0.3, 14);
  });

  it('gives EI = 0 when Q equals P and skews EI up as the imputed value shrinks', () => {
    const same = explorationMetrics([0.25, 0.75], [1, 3], 0.001);
    expect(same.EI).toBeCloseTo(0, 14);
    expect(same.TE).toBeCloseTo(0.25 * 0.25 + 0.75 * 0.75, 14);
    const light = explorationMetrics([0.5, 0.5], [1, 0], 0.001).EI; // 0.5 ln(0.5*1.001) + 0.5 ln(0.5*1.001/0.001)
    expect(light).toBeCloseTo(0.5 * Math.log(0.5 * 1.001) + 0.5 * Math.log((0.5 * 1.001) / 0.001), 13);
    expect(explorationMetrics([0.5, 0.5], [1, 0], 1e-6).EI).toBeGreaterThan(light);
  });

  it('reads users out of larger arrays through offsets (the kernel)', () => {
    const p = Float64Array.of(9, 9, 0.5, 0.3, 0.2, 0);
    const q = Float64Array.of(7, 2, 0, 1, 1);
    const out = { EI: 0, TD: 0, IU: 0, TE: 0 };
    explorationMetricsInto(4, p, 2, q, 1, 0.01, out);
    expect(out.EI).toBeCloseTo(0.9856808350889726, 13);
  });

  it('estimates P = Pr(topic is the most relevant) by seeded Monte Carlo', () => {
    // X ~ Beta(2, 1), Y ~ Beta(1, 1): P(X > Y) = E[X] = 2/3.
    const p = topicMaxProbabilities([2, 1], [1, 1], 20_000, createRng(1));
    expect(p[0]).toBeCloseTo(2 / 3, 1);
    expect(Math.abs(p[0]! - 2 / 3)).toBeLessThan(4 * Math.sqrt(2 / 9 / 20_000));
    expect(p[0]! + p[1]!).toBeCloseTo(1, 14);
    const again = topicMaxProbabilities([2, 1], [1, 1], 20_000, createRng(1));
    expect(Array.from(again)).toEqual(Array.from(p));
    // Three i.i.d. posteriors: 1/3 each.
    const q = topicMaxProbabilities([3, 3, 3], [5, 5, 5], 30_000, createRng(2));
    for (const v of q) expect(Math.abs(v - 1 / 3)).toBeLessThan(0.015);
  });

  it('prunes only topics that cannot be the most relevant', () => {
    // Topic 1 is ~0.1 with sd 0.003, topic 0 ~0.8: topic 1 is pruned, P = (1, 0, ...).
    const p = topicMaxProbabilities([8000, 1000, 0.6], [2000, 9000, 1.4], 2000, createRng(3));
    expect(p[1]).toBe(0);
    // The wide prior of a never-seen topic (Beta(0.6, 1.4)) beats 0.8 with probability
    // 1 - I_0.8(0.6, 1.4) = 0.0597 (numerical integration).
    expect(p[2]).toBeGreaterThan(0.045);
    expect(p[2]).toBeLessThan(0.075);
  });

  it('samples Beta laws with the right mean and variance', () => {
    const rng = createRng(4);
    for (const [a, b] of [
      [0.5, 0.7],
      [2, 30],
      [200, 100],
    ] as const) {
      let s = 0;
      let s2 = 0;
      const n = 40_000;
      for (let i = 0; i < n; i++) {
        const x = sampleBeta(a, b, rng);
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      const v = s2 / n - mean * mean;
      const tv = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - a / (a + b))).toBeLessThan(5 * Math.sqrt(tv / n));
      expect(Math.abs(v / tv - 1)).toBeLessThan(0.05);
    }
  });

  it('builds the light Beta prior from the topic and user averages', () => {
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    // User average = global average: the prior mean is the topic rate. Topic 0 seen 10 times, 4 relevant.
    betaPosteriorInto(
      2,
      Float64Array.of(10, 0),
      Float64Array.of(4, 0),
      0,
      Float64Array.of(0.3, 0.6),
      0.4,
      0.4,
      2,
      a,
      b,
    );
    expect(a[0]).toBeCloseTo(2 * 0.3 + 4, 12);
    expect(b[0]).toBeCloseTo(2 * 0.7 + 6, 12);
    expect(a[1]).toBeCloseTo(1.2, 12);
    expect(b[1]).toBeCloseTo(0.8, 12);
    // A user twice as likely (in odds) as average shifts the prior mean by the odds ratio.
    betaPosteriorInto(
      1,
      Float64Array.of(0),
      Float64Array.of(0),
      0,
      Float64Array.of(0.5),
      2 / 3,
      0.5,
      2,
      a,
      b,
    );
    expect(a[0]! / 2).toBeCloseTo(2 / 3, 12);
  });

  it('rejects a P that is not a distribution and an all-zero Q', () => {
    expect(() => explorationMetrics([0.5, 0.6], [1, 1])).toThrowErrorMatchingInlineSnapshot(
      `[AllotError: p must sum to 1 (got 1.1)]`,
    );
    expect(() => explorationMetrics([0.5, 0.5], [0, 0])).toThrow(/qCounts must have a positive sum/);
    expect(() => explorationMetrics([1], [1, 2])).toThrow(/same non-zero length/);
  });
});

describe('userDayExplorationMetrics (from logged counts, the service entry point)', () => {
  it('equals the kernel pipeline (prior, quadrature P, Eqs. 2-5) and validates its input', () => {
    const K = 5;
    const shownBefore = [10, 0, 3, 40, 1];
    const relevantBefore = [2, 0, 1, 30, 1];
    const today = [0, 1, 0, 4, 0];
    const topicRate = [0.2, 0.3, 0.25, 0.4, 0.3];
    const m = userDayExplorationMetrics(
      { shownBefore, relevantBefore, today },
      { topicRate, globalRate: 0.3 },
    );
    const a = new Float64Array(K);
    const b = new Float64Array(K);
    const ubar = (34 + 10 * 0.3) / (54 + 10);
    betaPosteriorInto(
      K,
      Float64Array.from(shownBefore),
      Float64Array.from(relevantBefore),
      0,
      Float64Array.from(topicRate),
      ubar,
      0.3,
      2,
      a,
      b,
    );
    const p = new Float64Array(K);
    maxProbabilitiesQuadratureInto(K, a, b, p, 0);
    const ref = explorationMetrics(p, today);
    expect(m.EI).toBeCloseTo(ref.EI, 12);
    expect(m.IU).toBeCloseTo(ref.IU, 12);
    expect(m.TE).toBeCloseTo(ref.TE, 12);
    expect(m.TD).toBe(2);
    // Uncertain topics keep a real chance to be the best: the never-seen topic 1 and topic 4 (1 of 1 relevant).
    expect(p[1]!).toBeGreaterThan(0.05);
    expect(p[4]!).toBeGreaterThan(0.05);
    expect(() =>
      userDayExplorationMetrics(
        { shownBefore, relevantBefore: [20, 0, 1, 30, 1], today },
        { topicRate, globalRate: 0.3 },
      ),
    ).toThrow(/topic 0: need 0 <= relevantBefore <= shownBefore/);
    expect(() =>
      userDayExplorationMetrics(
        { shownBefore, relevantBefore, today: [0, 0, 0, 0, 0] },
        { topicRate, globalRate: 0.3 },
      ),
    ).toThrow(/positive sum/);
    expect(() =>
      userDayExplorationMetrics({ shownBefore, relevantBefore, today: [1] }, { topicRate, globalRate: 0.3 }),
    ).toThrow(/today must have 5 entries/);
  });
});
