import { describe, expect, it } from 'vitest';
import { ratioEstimate, userLevelLift } from '../../src/experiments/index.js';

describe('user-level readout (delta method)', () => {
  it('reduces to the mean and its squared standard error when x = 1', () => {
    const y = [1, 2, 3, 4, 10];
    const r = ratioEstimate(5, y, [1, 1, 1, 1, 1]);
    expect(r.ratio).toBe(4);
    // sample variance = (9 + 4 + 1 + 0 + 36) / 4 = 12.5; Var(mean) = 12.5 / 5 = 2.5
    expect(r.variance).toBeCloseTo(2.5, 12);
  });

  it('gives test/control - 1 with the delta-method interval (hand-computed)', () => {
    const test = { y: [6, 8, 10], x: [1, 1, 1] }; // mean 8, var of mean 4/3
    const control = { y: [3, 4, 5], x: [1, 1, 1] }; // mean 4, var of mean 1/3
    const l = userLevelLift(test, control);
    expect(l.estimate).toBeCloseTo(1, 12);
    // Var = (8/4)^2 (4/3 / 64 + 1/3 / 16) = 4 * (1/48 + 1/48) = 1/6
    expect(l.se).toBeCloseTo(Math.sqrt(1 / 6), 12);
    expect(l.ci95[0]).toBeCloseTo(1 - 1.959963984540054 * Math.sqrt(1 / 6), 12);
  });

  it('returns nulls instead of NaN when the control mean is undefined', () => {
    const l = userLevelLift({ y: [1], x: [1] }, { y: [], x: [] });
    expect(l.estimate).toBeNull();
    expect(l.ci95).toEqual([null, null]);
  });
});
