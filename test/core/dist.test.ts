import { describe, expect, it } from 'vitest';
import {
  betaCdf,
  gammaCdf,
  gammaQuantile,
  lognormalQuantile,
  normalCdf,
  normalPdf,
  normalQuantile,
} from '../../src/core/dist.js';

describe('distribution wrappers', () => {
  it('match textbook values', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalCdf(normalQuantile(0.3, 2, 3), 2, 3)).toBeCloseTo(0.3, 14);
    expect(betaCdf(0.5, 2, 2)).toBeCloseTo(0.5, 14);
    // gamma with shape 1 and scale 2 is exponential with mean 2: P(X <= 2) = 1 - e^-1
    expect(gammaCdf(2, 1, 2)).toBeCloseTo(1 - Math.exp(-1), 14);
    expect(gammaQuantile(1 - Math.exp(-1), 1, 2)).toBeCloseTo(2, 12);
    expect(lognormalQuantile(0.5, 1, 0.7)).toBeCloseTo(Math.E, 14);
  });
});

describe('normalQuantile in the tails', () => {
  it('keeps full relative accuracy down to the smallest double', () => {
    for (const p of [0.3, 1e-3, 1e-5, 1e-10, 1e-16, 1e-17, 1e-20, 1e-100]) {
      expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(1e-13);
    }
    expect(Number.isFinite(normalQuantile(5e-324))).toBe(true);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is antisymmetric about 1/2', () => {
    for (const p of [0.01, 0.2, 0.4999]) expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 12);
  });
});
