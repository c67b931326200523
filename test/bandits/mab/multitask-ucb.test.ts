import { describe, expect, it } from 'vitest';
import {
  applyMultiTaskUcbDelta,
  createMultiTaskUcb,
  createMultiTaskUcbState,
  decideMultiTaskUcb,
  learnMultiTaskUcb,
  mergeMultiTaskUcbState,
  multiTaskUcbScore,
  ucbSelect,
} from '../../../src/bandits/mab/index.js';
import { createRng } from '../../../src/core/rng.js';
import { fc, test } from '../../helpers/fast-check.js';

// Hand-computed example of Eq. 1: K = 3 topics, 2 tasks, alpha = (1, 0.5), gamma = 0.5,
// rhat(task 0) = (0.2, 0.5, 0.4), rhat(task 1) = (0.1, 0.2, 0.6), N_{t,a} = (4, 10, 1), N_t = 15.
// Exploitation terms 0.25, 0.6, 0.7; bonus 0.5 * sqrt(ln 15 / N_{t,a}).
const policy = createMultiTaskUcb({ k: 3, alpha: [1, 0.5], gamma: 0.5 });
const predictions = Float64Array.of(0.2, 0.5, 0.4, 0.1, 0.2, 0.6);
const state = { counts: Float64Array.of(4, 10, 1), total: 15 };

describe('multi-task UCB (Eq. 1)', () => {
  it('scores each arm as sum_T alpha_T rhat + gamma sqrt(ln N_t / N_{t,a}) on a hand-computed example', () => {
    expect(multiTaskUcbScore(policy, predictions, state, 0)).toBeCloseTo(0.6614038618789184, 12);
    expect(multiTaskUcbScore(policy, predictions, state, 1)).toBeCloseTo(0.8601946483453402, 12);
    expect(multiTaskUcbScore(policy, predictions, state, 2)).toBeCloseTo(1.5228077237578366, 12);
  });

  it('chooses the arm with the largest score among the available arms only', () => {
    const rng = createRng(1);
    expect(decideMultiTaskUcb(policy, state, { predictions }, rng)).toBe(2);
    expect(decideMultiTaskUcb(policy, state, { predictions, available: [0, 1] }, rng)).toBe(1);
    expect(decideMultiTaskUcb(policy, state, { predictions, available: [0] }, rng)).toBe(0);
  });

  it('shows a never-shown arm first (infinite bonus), the best-predicted never-shown arm among several', () => {
    const rng = createRng(2);
    const s = { counts: Float64Array.of(50, 0, 0), total: 50 };
    expect(multiTaskUcbScore(policy, predictions, s, 1)).toBe(Number.POSITIVE_INFINITY);
    // Arm 0 has the best... no: exploit 0.25 < 0.6 < 0.7; arms 1 and 2 are unseen, arm 2 predicts more.
    expect(decideMultiTaskUcb(policy, s, { predictions }, rng)).toBe(2);
    expect(decideMultiTaskUcb(policy, s, { predictions, available: [0, 1] }, rng)).toBe(1);
  });

  it('gives a never-shown arm the finite bonus gamma sqrt(ln N_t / n0) with unseenCount = n0', () => {
    const p = createMultiTaskUcb({ k: 3, alpha: [1, 0.5], gamma: 0.5, unseenCount: 1 });
    const s = { counts: Float64Array.of(50, 0, 0), total: 50 };
    // 0.6 + 0.5 sqrt(ln 50 / 1) = 0.6 + 0.5 * 1.9779085... = 1.58895428...
    expect(multiTaskUcbScore(p, predictions, s, 1)).toBeCloseTo(0.6 + 0.5 * Math.sqrt(Math.log(50)), 12);
    // Arm 0 (shown 50 times): 0.25 + 0.5 sqrt(ln 50 / 50) = 0.3898...; arm 2 unseen: 0.7 + 0.989 wins.
    expect(decideMultiTaskUcb(p, s, { predictions }, createRng(1))).toBe(2);
  });

  it('is greedy on the weighted prediction when gamma = 0, never-shown arms included', () => {
    const greedy = createMultiTaskUcb({ k: 3, alpha: [1, 0.5], gamma: 0 });
    const s = { counts: Float64Array.of(0, 0, 9), total: 9 };
    expect(multiTaskUcbScore(greedy, predictions, s, 0)).toBeCloseTo(0.25, 12);
    expect(decideMultiTaskUcb(greedy, s, { predictions, available: [0, 1] }, createRng(3))).toBe(1);
  });

  it('gives a shown arm no bonus while N_t(C) <= 1 (ln 1 = 0)', () => {
    const s = { counts: Float64Array.of(1, 0, 0), total: 1 };
    expect(multiTaskUcbScore(policy, predictions, s, 0)).toBeCloseTo(0.25, 12);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 40 }).chain((k) =>
        fc.record({
          k: fc.constant(k),
          counts: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: k, maxLength: k }),
          preds: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2 * k, maxLength: 2 * k }),
          avail: fc.uniqueArray(fc.integer({ min: 0, max: k - 1 }), { minLength: 1, maxLength: k }),
          gamma: fc.double({ min: 0, max: 3, noNaN: true }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
      ),
    ],
    { seed: 1, numRuns: 200 },
  )(
    'only ever chooses an available arm, and one with the largest score',
    ({ k, counts, preds, avail, gamma, seed }) => {
      const p = createMultiTaskUcb({ k, alpha: [1, -0.3], gamma });
      const c = Float64Array.from(counts);
      const st = { counts: c, total: counts.reduce((a, b) => a + b, 0) };
      const pr = Float64Array.from(preds);
      const arm = decideMultiTaskUcb(p, st, { predictions: pr, available: avail }, createRng(seed));
      expect(avail).toContain(arm);
      const best = Math.max(...avail.map((a) => multiTaskUcbScore(p, pr, st, a)));
      const score = multiTaskUcbScore(p, pr, st, arm);
      if (best === Number.POSITIVE_INFINITY) expect(score).toBe(Number.POSITIVE_INFINITY);
      else expect(score).toBeCloseTo(best, 12);
    },
  );

  it('agrees with the precomputed-exploitation kernel ucbSelect', () => {
    const exploit = Float64Array.of(0.25, 0.6, 0.7);
    const arm = ucbSelect(
      exploit,
      0,
      state.counts,
      0,
      state.total,
      0.5,
      0,
      Int32Array.of(0, 1),
      2,
      createRng(1),
    );
    expect(arm).toBe(1);
  });

  it('breaks exact ties uniformly at random', () => {
    const p = createMultiTaskUcb({ k: 2, alpha: [1], gamma: 0 });
    const rng = createRng(5);
    let first = 0;
    for (let i = 0; i < 4000; i++) {
      if (
        decideMultiTaskUcb(p, createMultiTaskUcbState(2), { predictions: Float64Array.of(0.5, 0.5) }, rng) ===
        0
      )
        first++;
    }
    expect(first / 4000).toBeGreaterThan(0.46);
    expect(first / 4000).toBeLessThan(0.54);
  });

  test.prop(
    [
      fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 4, maxLength: 4 }), {
        minLength: 3,
        maxLength: 3,
      }),
    ],
    { seed: 2, numRuns: 100 },
  )('merges per-user states associatively and commutatively', (rows) => {
    const [a, b, c] = rows.map((r) => ({
      counts: Float64Array.from(r),
      total: r.reduce((x, y) => x + y, 0),
    }));
    const ab_c = mergeMultiTaskUcbState(mergeMultiTaskUcbState(a!, b!), c!);
    const a_bc = mergeMultiTaskUcbState(a!, mergeMultiTaskUcbState(b!, c!));
    const ba = mergeMultiTaskUcbState(b!, a!);
    expect(Array.from(ab_c.counts)).toEqual(Array.from(a_bc.counts));
    expect(ab_c.total).toBe(a_bc.total);
    expect(Array.from(mergeMultiTaskUcbState(a!, b!).counts)).toEqual(Array.from(ba.counts));
  });

  it('learns by adding a delta: one more impression of the arm', () => {
    const s = createMultiTaskUcbState(3);
    applyMultiTaskUcbDelta(s, learnMultiTaskUcb(policy, 2));
    applyMultiTaskUcbDelta(s, learnMultiTaskUcb(policy, 2));
    expect(Array.from(s.counts)).toEqual([0, 0, 2]);
    expect(s.total).toBe(2);
  });

  it('rejects bad input with one clear error', () => {
    expect(() => createMultiTaskUcb({ k: 3, alpha: [1], gamma: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[AllotError: gamma must be >= 0 (got -1)]`,
    );
    expect(() => createMultiTaskUcb({ k: 0, alpha: [1], gamma: 1 })).toThrow(/k must be an integer >= 1/);
    expect(() =>
      decideMultiTaskUcb(policy, state, { predictions: Float64Array.of(1) }, createRng(1)),
    ).toThrow(/predictions must have tasks \* k = 6 entries/);
    expect(() => decideMultiTaskUcb(policy, state, { predictions, available: [] }, createRng(1))).toThrow(
      /available must list at least one arm/,
    );
    expect(() => decideMultiTaskUcb(policy, state, { predictions, available: [3] }, createRng(1))).toThrow(
      /available\[0\] must be an integer in \[0, 2\]/,
    );
  });
});
