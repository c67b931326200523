import { describe, expect, it } from 'vitest';
import { AllotError } from '../../src/core/errors.js';
import { createRng, restoreRng } from '../../src/core/rng.js';
import { fc, test } from '../helpers/fast-check.js';

describe('createRng (xoshiro128**)', () => {
  it('gives the documented first output for seed 1 (a golden value that pins the stream across platforms)', () => {
    expect(createRng(1).uint32()).toBe(1615573485);
    expect(createRng(1).fork(3).uint32()).toBe(2870002052);
  });

  test.prop([fc.nat()], { seed: 42, numRuns: 50 })('same seed gives the same numbers', (seed) => {
    const a = createRng(seed);
    const b = createRng(seed);
    for (let i = 0; i < 20; i++) expect(a.uniform()).toBe(b.uniform());
    expect(a.normal()).toBe(b.normal());
    expect(a.gamma(2.5, 1.5)).toBe(b.gamma(2.5, 1.5));
    expect(a.beta(0.5, 3)).toBe(b.beta(0.5, 3));
  });

  it('different seeds give different streams', () => {
    expect(createRng(1).uint32()).not.toBe(createRng(2).uint32());
  });

  it('fork(i) does not depend on how much the parent has drawn', () => {
    const a = createRng(7);
    const before = a.fork(5).uniform();
    for (let i = 0; i < 100; i++) a.uniform();
    expect(a.fork(5).uniform()).toBe(before);
    expect(a.fork(5).uniform()).not.toBe(a.fork(6).uniform());
  });

  it('uniform stays in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = createRng(3);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    const m = s / n;
    expect(Math.abs(m - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - m * m - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal, gamma and beta draws have the right first two moments', () => {
    const r = createRng(11);
    const n = 100_000;
    const moments = (draw: () => number): [number, number] => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = draw();
        s += x;
        s2 += x * x;
      }
      return [s / n, s2 / n - (s / n) ** 2];
    };
    const [nm, nv] = moments(() => r.normal(2, 3));
    expect(nm).toBeCloseTo(2, 1);
    expect(nv).toBeCloseTo(9, 0);
    const [gm, gv] = moments(() => r.gamma(3, 2)); // mean k*theta = 6, var k*theta^2 = 12
    expect(Math.abs(gm - 6)).toBeLessThan(0.05);
    expect(Math.abs(gv - 12)).toBeLessThan(0.3);
    const [bm, bv] = moments(() => r.beta(2, 5)); // mean 2/7, var 10/392
    expect(Math.abs(bm - 2 / 7)).toBeLessThan(0.003);
    expect(Math.abs(bv - 10 / 392)).toBeLessThan(0.001);
  });

  it('int(n) is uniform over [0, n)', () => {
    const r = createRng(5);
    const counts = new Array(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[r.int(7)]++;
    // chi-square with 6 degrees of freedom; 22.46 is its 0.999 quantile
    const chi = counts.reduce((a, c) => a + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi).toBeLessThan(22.46);
  });

  it('restores a captured state and continues the same stream', () => {
    const a = createRng(9);
    a.uniform();
    const b = restoreRng(a.key, a.getState());
    expect(b.uint32()).toBe(a.uint32());
  });

  it('rejects a bad seed, stream or bound with AllotError', () => {
    expect(() => createRng(-1)).toThrow(AllotError);
    expect(() => createRng(1.5)).toThrow(/seed must be a non-negative integer/);
    expect(() => createRng(1).fork(-2)).toThrow(AllotError);
    expect(() => createRng(1).int(0)).toThrow(AllotError);
  });
});
