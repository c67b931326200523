import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  cupedLift,
  meanLift,
  pairedLift,
  powerAnalysis,
  ratioEstimate,
  readoutFromRecords,
  userLevelLift,
} from '../../src/experiments/index.js';

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

describe('cumulative, paired and CUPED readouts; power; readout from plain records', () => {
  it('meanLift is the lift of means over assigned users; pairedLift is the ratio of sums on the same users', () => {
    const l = meanLift([2, 4, 6], [1, 2, 3, 2]);
    expect(l.estimate).toBeCloseTo(4 / 2 - 1, 12);
    const p = pairedLift([2, 4, 6], [1, 2, 3]);
    expect(p.estimate).toBeCloseTo(1, 12);
    // Exact proportionality: no residual, a zero-width interval.
    expect(p.ci95[0]).toBeCloseTo(1, 12);
    expect(() => pairedLift([1], [1, 2])).toThrow(/same length/);
  });

  it('CUPED removes the variance explained by the pre-period and keeps the estimate unbiased', () => {
    const rng = createRng(1);
    // y = 10 a + noise (+ 0.8 in test): the pre-period x = 10 a explains most of the variance of y.
    const mk = (n: number, effect: number): { y: number[]; x: number[] } => {
      const x: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = Math.exp(rng.normal(0, 1));
        x.push(a * 10);
        y.push(a * 10 + effect + rng.normal(0, 1));
      }
      return { y, x };
    };
    const t = mk(4000, 0.8);
    const c = mk(4000, 0);
    const truth = 0.8 / (10 * Math.exp(0.5));
    const plain = meanLift(t.y, c.y);
    const cu = cupedLift(t, c);
    expect(cu.se!).toBeLessThan(plain.se! / 5);
    expect(cu.varianceReduction!).toBeGreaterThan(0.95);
    expect(cu.ci95[0]! < truth && truth < cu.ci95[1]!).toBe(true);
  });

  it('power: MDE and users needed follow the normal formula', () => {
    const p = powerAnalysis({ cv: 1, nTest: 1000, nControl: 1000, effect: 0.1 });
    expect(p.se).toBeCloseTo(Math.sqrt(2 / 1000), 12);
    expect(p.mde80).toBeCloseTo((1.959963984540054 + 0.8416212335729143) * Math.sqrt(0.002), 9);
    expect(p.usersPerGroupFor80).toBe(Math.ceil((2 * (1.959963984540054 + 0.8416212335729143) ** 2) / 0.01));
    // At the MDE the power is 80 %.
    expect(powerAnalysis({ cv: 1, nTest: 1000, nControl: 1000, effect: p.mde80 }).power).toBeCloseTo(0.8, 3);
    expect(() => powerAnalysis({ cv: 0, nTest: 1, nControl: 1 })).toThrow(/cv must be > 0/);
  });

  it('readoutFromRecords sums per user over the days, uses days <= 0 for CUPED, and refuses a user in two groups', () => {
    const recs = [
      { user: 'a', group: 'test', day: 0, value: 5 },
      { user: 'a', group: 'test', day: 1, value: 4, decisions: 8 },
      { user: 'a', group: 'test', day: 2, value: 2, decisions: 4 },
      { user: 'b', group: 'test', day: 0, value: 1 },
      { user: 'c', group: 'control', day: 1, value: 2, decisions: 4 },
      { user: 'd', group: 'control', day: 0, value: 3 },
      { user: 'd', group: 'control', day: 2, value: 2, decisions: 2 },
      { user: 'e', group: 'production', day: 1, value: 1, decisions: 1 },
    ] as const;
    const r = readoutFromRecords(recs);
    expect(r.groups.test.users).toBe(1);
    expect(r.groups.test.valuePerUser).toBe(6);
    expect(r.groups.test.valuePerDecision).toBe(0.5);
    // Assigned users (b seen only before the experiment) count with 0: test mean 3, control mean 2.
    expect(r.lift.estimate).toBeCloseTo(3 / 2 - 1, 12);
    expect(r.liftCuped).not.toBeNull();
    expect(r.days.map((d) => d.day)).toEqual([1, 2]);
    expect(r.days[0]!.users).toEqual({ control: 1, test: 1 });
    expect(() => readoutFromRecords([...recs, { user: 'a', group: 'control', day: 3, value: 1 }])).toThrow(
      /user a appears in two groups/,
    );
  });
});
