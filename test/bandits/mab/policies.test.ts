import { describe, expect, it } from 'vitest';
import {
  applyArmDelta,
  createArmStats,
  decideBernoulliThompson,
  decideEpsilonGreedy,
  decideGaussianThompson,
  decideUcb1,
  learnArm,
  mergeArmStats,
  ucb1Index,
} from '../../../src/bandits/mab/index.js';
import { createRng } from '../../../src/core/rng.js';
import { fc, test } from '../../helpers/fast-check.js';

function stats(counts: number[], sums: number[]) {
  const s = createArmStats(counts.length);
  s.counts.set(counts);
  s.sums.set(sums);
  for (let i = 0; i < sums.length; i++) s.sumSquares[i] = sums[i]!; // Bernoulli rewards: r^2 = r
  return s;
}

describe('UCB1', () => {
  it('computes mean + c sqrt(2 ln n / n_a) (hand example: n = 10, n_a = 4, mean 0.5)', () => {
    const s = stats([4, 6], [2, 3]);
    // 0.5 + sqrt(2 ln 10 / 4) = 0.5 + 1.0729830131446736
    expect(ucb1Index(s, 0, 10, 1)).toBeCloseTo(1.5729830131446736, 12);
  });
  it('tries every available arm once, then follows the index', () => {
    const rng = createRng(1);
    expect(decideUcb1(stats([3, 0, 2], [1, 0, 2]), {}, rng)).toBe(1);
    expect(decideUcb1(stats([3, 0, 2], [1, 0, 2]), { available: [0, 2] }, rng)).toBe(2);
  });
});

describe('Thompson sampling', () => {
  it('Bernoulli: plays the clearly better arm almost always and only available arms', () => {
    const rng = createRng(2);
    const s = stats([1000, 1000, 1000], [100, 800, 500]);
    let best = 0;
    for (let i = 0; i < 500; i++) if (decideBernoulliThompson(s, {}, rng) === 1) best++;
    expect(best).toBeGreaterThan(495);
    for (let i = 0; i < 100; i++)
      expect([0, 2]).toContain(decideBernoulliThompson(s, { available: [0, 2] }, rng));
  });
  it('Bernoulli: with no data picks arms uniformly (uniform prior)', () => {
    const rng = createRng(3);
    const s = createArmStats(2);
    let first = 0;
    for (let i = 0; i < 4000; i++) if (decideBernoulliThompson(s, {}, rng) === 0) first++;
    expect(Math.abs(first / 4000 - 0.5)).toBeLessThan(0.03);
  });
  it('Gaussian: posterior mean (mu0/sd0^2 + S/sigma^2)/(1/sd0^2 + n/sigma^2) decides when data are plentiful', () => {
    const rng = createRng(4);
    const s = stats([500, 500], [500 * 1.0, 500 * 1.2]);
    let second = 0;
    for (let i = 0; i < 400; i++) if (decideGaussianThompson(s, {}, rng, { noiseSd: 1 }) === 1) second++;
    // Posterior sds ~ 1/sqrt(501) = 0.045 each: P(arm 1 drawn higher) = Phi(0.2 / 0.063) ~ 0.999.
    expect(second).toBeGreaterThan(390);
  });
  it('rejects a non-positive prior', () => {
    expect(() => decideBernoulliThompson(createArmStats(2), {}, createRng(1), { a0: 0 })).toThrow(
      /prior.a0 must be > 0 \(got 0\)/,
    );
  });
});

describe('epsilon-greedy', () => {
  it('is greedy at epsilon 0 and uniform over the available arms at epsilon 1', () => {
    const rng = createRng(5);
    const s = stats([10, 10, 10], [1, 9, 5]);
    expect(decideEpsilonGreedy(s, {}, rng, 0)).toBe(1);
    expect(decideEpsilonGreedy(s, { available: [0, 2] }, rng, 0)).toBe(2);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(decideEpsilonGreedy(s, { available: [0, 2] }, rng, 1));
    expect([...seen].sort()).toEqual([0, 2]);
  });
  it('rejects epsilon outside [0, 1]', () => {
    expect(() =>
      decideEpsilonGreedy(createArmStats(2), {}, createRng(1), 1.5),
    ).toThrowErrorMatchingInlineSnapshot(`[AllotError: epsilon must be in [0, 1] (got 1.5)]`);
  });
});

describe('additive arm statistics', () => {
  test.prop(
    [fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -5, max: 5 })), { maxLength: 60 })],
    { seed: 3, numRuns: 100 },
  )('learning in any split and merging gives the same state (associative, commutative)', (events) => {
    const whole = createArmStats(4);
    const left = createArmStats(4);
    const right = createArmStats(4);
    events.forEach(([arm, r], i) => {
      applyArmDelta(whole, learnArm(whole, arm, r));
      applyArmDelta(i % 2 ? left : right, learnArm(whole, arm, r));
    });
    const m1 = mergeArmStats(left, right);
    const m2 = mergeArmStats(right, left);
    expect(Array.from(m1.counts)).toEqual(Array.from(whole.counts));
    expect(Array.from(m1.sums)).toEqual(Array.from(whole.sums));
    expect(Array.from(m2.sumSquares)).toEqual(Array.from(whole.sumSquares));
    const z = createArmStats(4);
    expect(Array.from(mergeArmStats(mergeArmStats(left, z), right).sums)).toEqual(
      Array.from(mergeArmStats(left, mergeArmStats(z, right)).sums),
    );
  });
});
