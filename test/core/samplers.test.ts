import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  prepareBeta,
  sampleBeta,
  sampleBetaPosteriorInto,
  sampleBetaPrepared,
  sampleGamma,
  sampleNormal,
  uniform53,
} from '../../src/core/samplers.js';
import { fc, test } from '../helpers/fast-check.js';

describe('fast samplers', () => {
  test.prop(
    [
      fc.double({ min: 0.05, max: 50, noNaN: true }),
      fc.double({ min: 0.05, max: 50, noNaN: true }),
      fc.nat(),
    ],
    {
      seed: 3,
      numRuns: 100,
    },
  )('sampleBetaPrepared gives the same draws as sampleBeta from the same stream', (a, b, seed) => {
    const prep = new Float64Array(4);
    prepareBeta(1, [a], [b], prep);
    const r1 = createRng(seed);
    const r2 = createRng(seed);
    for (let k = 0; k < 20; k++) expect(sampleBetaPrepared(r1, a, b, prep, 0)).toBe(sampleBeta(a, b, r2));
  });

  it("uniform53 is the generator's uniform(), draw for draw", () => {
    const r1 = createRng(11);
    const r2 = createRng(11);
    for (let k = 0; k < 1000; k++) expect(uniform53(r1)).toBe(r2.uniform());
  });

  it('keeps its streams: golden draws for seed 1 (the budget and explore reports depend on them)', () => {
    const r = createRng(1);
    expect([
      sampleNormal(r),
      sampleGamma(0.5, r),
      sampleGamma(30, r),
      sampleBeta(2.5, 7, r),
      sampleBeta(0.4, 0.6, r),
    ]).toEqual([
      0.42030972880923784, 1.8384344126320944, 36.25608154288195, 0.04450625627048872, 0.8663992421332692,
    ]);
  });
});

describe('sampleBetaPosteriorInto (block xoshiro128**, 25-bit ziggurat)', () => {
  /** Kolmogorov-Smirnov statistic of xs against the Beta(a, b) CDF of @stdlib. */
  function ks(xs: Float64Array, a: number, b: number): number {
    const s = Float64Array.from(xs).sort();
    const n = s.length;
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = betaCdf(s[i]!, a, b);
      d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
    }
    return d;
  }

  // (successes, trials): Beta(s + 1, n - s + 1), from the uniform prior to shapes in the gamma table's range.
  const cases: [number, number][] = [
    [0, 0],
    [0, 3],
    [2, 9],
    [40, 54],
    [1500, 6000],
    [150_000, 320_000],
  ];
  for (const [sc, n] of cases) {
    it(`has the law of Beta(${sc + 1}, ${n - sc + 1}): KS against @stdlib's CDF, mean and variance`, () => {
      const a = sc + 1;
      const b = n - sc + 1;
      const N = 20_000;
      // Draws spread over blocks of 7 items (one block per call), so reseeding between blocks is exercised too.
      const m = 7;
      const succ = new Float64Array(m).fill(sc);
      const tri = new Float64Array(m).fill(n);
      const out = new Float64Array(m);
      const xs = new Float64Array(N);
      const rng = createRng(a * 1000 + b);
      for (let k = 0; k < N; k += m) {
        sampleBetaPosteriorInto(rng, m, succ, tri, out);
        for (let j = 0; j < m && k + j < N; j++) xs[k + j] = out[j]!;
      }
      // 0.1 % critical value of the one-sample KS statistic: 1.949 / sqrt(N).
      expect(ks(xs, a, b)).toBeLessThan(1.949 / Math.sqrt(N));
      let mean = 0;
      for (const x of xs) mean += x;
      mean /= N;
      let v = 0;
      for (const x of xs) v += (x - mean) ** 2;
      v /= N - 1;
      const mu = a / (a + b);
      const varT = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - mu)).toBeLessThan(4 * Math.sqrt(varT / N));
      expect(Math.abs(v / varT - 1)).toBeLessThan(0.06);
    });
  }

  it('fails the KS test on the wrong law (the test has power)', () => {
    const out = new Float64Array(20_000);
    sampleBetaPosteriorInto(
      createRng(1),
      20_000,
      new Float64Array(20_000).fill(2),
      new Float64Array(20_000).fill(9),
      out,
    );
    // Beta(3, 8) tested as Beta(3, 7).
    expect(ks(out, 3, 7)).toBeGreaterThan(1.949 / Math.sqrt(20_000));
  });

  it('draws the tails: every ziggurat strip and the slow paths keep the normal law (via Beta(1, 1) = U(0, 1))', () => {
    const N = 100_000;
    const out = new Float64Array(N);
    sampleBetaPosteriorInto(createRng(9), N, new Float64Array(N), new Float64Array(N), out);
    expect(ks(out, 1, 1)).toBeLessThan(1.949 / Math.sqrt(N));
  });

  it('advances rng by exactly 4 draws, is deterministic, and writes only the listed items', () => {
    const r1 = createRng(4);
    const r2 = createRng(4);
    const succ = Float64Array.from([3, 0, 7, 1]);
    const tri = Float64Array.from([10, 0, 7, 2]);
    const o1 = new Float64Array(4);
    const o2 = new Float64Array(4);
    sampleBetaPosteriorInto(r1, 4, succ, tri, o1);
    for (let k = 0; k < 4; k++) r2.uint32();
    expect(r1.uint32()).toBe(r2.uint32());
    const r3 = createRng(4);
    sampleBetaPosteriorInto(r3, 4, succ, tri, o2);
    expect(o2).toEqual(o1);
    const o3 = new Float64Array(4).fill(-1);
    sampleBetaPosteriorInto(createRng(4), 2, succ, tri, o3, Int32Array.from([2, 0]));
    expect(o3[1]).toBe(-1);
    expect(o3[3]).toBe(-1);
    expect(o3[0]).toBeGreaterThan(0);
    expect(o3[2]).toBeGreaterThan(0);
    for (const x of o1) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
    }
  });
});
