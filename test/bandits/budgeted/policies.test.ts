import { describe, expect, it } from 'vitest';
import { bernoulliTrial, createBts } from '../../../src/bandits/budgeted/bts.js';
import { createBudgetedPolicy } from '../../../src/bandits/budgeted/create.js';
import { createEpsilonFirst } from '../../../src/bandits/budgeted/epsilon-first.js';
import { createKube } from '../../../src/bandits/budgeted/kube.js';
import { createMrcb, MRCB_DEFAULT_KAPPA } from '../../../src/bandits/budgeted/mrcb.js';
import { solveIlfp } from '../../../src/bandits/budgeted/oracle.js';
import { type BudgetedContext, budgetedDelta, cyclicArmsInto } from '../../../src/bandits/budgeted/policy.js';
import {
  type BudgetedStats,
  createBudgetedStats,
  mergeBudgetedStats,
} from '../../../src/bandits/budgeted/stats.js';
import { createUcbBv1 } from '../../../src/bandits/budgeted/ucb-bv1.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleBeta, sampleGamma, sampleNormal } from '../../../src/core/samplers.js';
import { fc, test } from '../../helpers/fast-check.js';

const ctx: BudgetedContext = { spent: 0 };

function decideSet(
  policy: ReturnType<typeof createMrcb>,
  state: BudgetedStats,
  seed = 1,
  c: BudgetedContext = ctx,
): number[] {
  const out = new Int32Array(policy.L);
  policy.decide(state, c, createRng(seed), out);
  return Array.from(out);
}

describe('MRCB (Algorithm 3)', () => {
  it('initialises cyclically: K = 10, L = 3 pulls {1,2,3}, {4,5,6}, {7,8,9}, {10,1,2} (1-based)', () => {
    const mrcb = createMrcb(10, 3);
    const state = createBudgetedStats(10);
    const rng = createRng(1);
    const rounds: number[][] = [];
    for (let t = 0; t < 4; t++) {
      const set = decideSet(mrcb, state);
      rounds.push(set.map((i) => i + 1).sort((x, y) => x - y));
      mrcb.learnInto(state, ctx, set, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], rng);
    }
    expect(rounds).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [1, 2, 10],
    ]);
    expect(Array.from(state.pulls)).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(state.rounds).toBe(4);
  });

  it('after initialisation pulls O(truncated UCB of reward, truncated LCB of cost, L), Eq. (4)-(6)', () => {
    const K = 6;
    const L = 2;
    const mrcb = createMrcb(K, L, { kappa: 0.5 });
    const state = createBudgetedStats(K);
    const rng = createRng(2);
    for (let r = 0; r < 40; r++) {
      const set = decideSet(mrcb, state);
      mrcb.learnInto(
        state,
        ctx,
        set,
        set.map(() => rng.uniform()),
        set.map(() => rng.uniform()),
        rng,
      );
    }
    const t = state.rounds + 1;
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < K; i++) {
      const n = state.pulls[i]!;
      const e = Math.sqrt((0.5 * Math.log(t - 1)) / n);
      a.push(Math.max(Math.min(state.sumReward[i]! / n + e, 1), 1e-12));
      b.push(Math.max(state.sumCost[i]! / n - e, 0));
    }
    const expected = solveIlfp(a, b, L, { rng: createRng(1) }).arms;
    expect(decideSet(mrcb, state, 1)).toEqual(expected);
    expect(MRCB_DEFAULT_KAPPA).toBe(2 ** -4);
  });

  it('rejects bad options with one clear error', () => {
    expect(() => createMrcb(3, 4)).toThrow(/L must be <= K = 3 \(got 4\)/);
    expect(() => createMrcb(3, 0)).toThrow(/L must be an integer >= 1/);
    expect(() => createMrcb(3, 1, { kappa: 0 })).toThrow(/kappa must be > 0/);
    expect(() => createBudgetedPolicy({ name: 'nope' as never }, 3, 1)).toThrow(/policy must be one of/);
    expect(() => createBudgetedPolicy({ name: 'eps-first' }, 3, 1)).toThrow(/needs the budget/);
    expect(() => createBudgetedPolicy({ name: 'ucb-bv1' }, 3, 1)).toThrow(/needs lambda/);
  });
});

describe('cyclic rounds', () => {
  test.prop(
    [fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 100 })],
    {
      seed: 3,
      numRuns: 300,
    },
  )('pull L distinct consecutive arms, ascending', (K, l, t) => {
    const L = 1 + ((l - 1) % K);
    const out = new Int32Array(L);
    cyclicArmsInto(t, K, L, out);
    const expected = Array.from({ length: L }, (_, j) => ((t - 1) * L + j) % K).sort((x, y) => x - y);
    expect(Array.from(out)).toEqual(expected);
  });
});

describe('BTS', () => {
  it('the Bernoulli trial is the identity on {0, 1} and has mean x on [0, 1]', () => {
    const rng = createRng(5);
    for (let k = 0; k < 100; k++) {
      expect(bernoulliTrial(0, rng)).toBe(0);
      expect(bernoulliTrial(1, rng)).toBe(1);
    }
    let s = 0;
    for (let k = 0; k < 20_000; k++) s += bernoulliTrial(0.3, rng);
    expect(s / 20_000).toBeCloseTo(0.3, 1);
  });

  it('posterior means converge to the true means ({0, 1} observations: the trial is the identity)', () => {
    const bts = createBts(3, 1);
    const state = createBudgetedStats(3);
    const rng = createRng(6);
    const muR = [0.2, 0.5, 0.8];
    const muC = [0.6, 0.3, 0.45];
    const arm = [0];
    // Feed each arm 5000 Bernoulli observations with the given means.
    for (let i = 0; i < 3; i++) {
      for (let n = 0; n < 5000; n++) {
        arm[0] = i;
        const r = rng.uniform() < muR[i]! ? 1 : 0;
        const c = rng.uniform() < muC[i]! ? 1 : 0;
        bts.learnInto(state, ctx, arm, [r], [c], rng);
      }
    }
    for (let i = 0; i < 3; i++) {
      const postR = (state.trialReward[i]! + 1) / (state.pulls[i]! + 2);
      const postC = (state.trialCost[i]! + 1) / (state.pulls[i]! + 2);
      expect(Math.abs(postR - muR[i]!)).toBeLessThan(0.03);
      expect(Math.abs(postC - muC[i]!)).toBeLessThan(0.03);
    }
  });

  it('posterior means converge for fractional observations through the Bernoulli trick', () => {
    const bts = createBts(1, 1);
    const state = createBudgetedStats(1);
    const rng = createRng(7);
    for (let n = 0; n < 20_000; n++) {
      const r = rng.beta(2, 3); // mean 0.4
      const c = 0.25 * Math.floor(rng.uniform() * 4); // uniform on {0, .25, .5, .75}: mean 0.375
      bts.learnInto(state, ctx, [0], [r], [c], rng);
    }
    expect((state.trialReward[0]! + 1) / (state.pulls[0]! + 2)).toBeCloseTo(0.4, 1.5);
    expect((state.trialCost[0]! + 1) / (state.pulls[0]! + 2)).toBeCloseTo(0.375, 1.5);
  });

  it('ziggurat normal draws have mean 0, variance 1, kurtosis 3 and the right tail mass', () => {
    const rng = createRng(11);
    const n = 400_000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let tail = 0;
    for (let k = 0; k < n; k++) {
      const x = sampleNormal(rng);
      s += x;
      s2 += x * x;
      s4 += x ** 4;
      if (Math.abs(x) > 2.5) tail++;
    }
    expect(Math.abs(s / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(4 * Math.sqrt(96 / n));
    // P(|Z| > 2.5) = 0.0124193
    expect(Math.abs(tail / n - 0.0124193)).toBeLessThan(4 * Math.sqrt(0.0124193 / n));
  });

  it('gamma and beta draws have the right mean and variance', () => {
    const rng = createRng(8);
    for (const [a, b] of [
      [0.3, 2],
      [2, 5],
      [40, 70],
    ] as const) {
      let s = 0;
      let s2 = 0;
      const n = 40_000;
      for (let k = 0; k < n; k++) {
        const x = sampleBeta(a, b, rng);
        s += x;
        s2 += x * x;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      const mt = a / (a + b);
      const vt = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(m - mt)).toBeLessThan(4 * Math.sqrt(vt / n) + 1e-3);
      expect(Math.abs(v - vt) / vt).toBeLessThan(0.05);
    }
    let g = 0;
    for (let k = 0; k < 20_000; k++) g += sampleGamma(0.5, rng);
    expect(g / 20_000).toBeCloseTo(0.5, 1);
  });
});

describe('baselines', () => {
  it('epsilon-first explores cyclically until epsilon B is spent, then freezes one super arm', () => {
    const eps = createEpsilonFirst(4, 2, { budget: 100, epsilon: 0.1, scheme: 'R' });
    const state = createBudgetedStats(4);
    const rng = createRng(1);
    const c: BudgetedContext = { spent: 0 };
    const means = [0.9, 0.1, 0.8, 0.2];
    const costs = [0.5, 0.5, 0.5, 0.5];
    for (let r = 0; r < 10; r++) {
      const set = decideSet(eps, state, 1, c);
      expect(set).toEqual(r % 2 === 0 ? [0, 1] : [2, 3]);
      eps.learnInto(
        state,
        c,
        set,
        set.map((i) => means[i]!),
        set.map((i) => costs[i]!),
        rng,
      );
      c.spent += 1;
    }
    expect(state.rounds).toBe(10);
    const frozen = decideSet(eps, state, 1, c);
    expect(frozen).toEqual([0, 2]);
    // Exploitation rounds teach it nothing (estimates are frozen) and keep the same super arm.
    eps.learnInto(state, c, frozen, [0, 0], [1, 1], rng);
    expect(state.rounds).toBe(10);
    expect(decideSet(eps, state, 2, c)).toEqual([0, 2]);
  });

  it('Scheme T and Scheme R differ where the notes say they must', () => {
    // Estimates equal to the counterexample of notes 3.3 (rewards 1, .001, 1; costs .1, .0005, .11).
    const state = createBudgetedStats(3);
    state.rounds = 3;
    state.pulls.set([1, 1, 1]);
    state.sumReward.set([1, 0.001, 1]);
    state.sumCost.set([0.1, 0.0005, 0.11]);
    const c: BudgetedContext = { spent: 1 };
    const t = createEpsilonFirst(3, 2, { budget: 1, epsilon: 0.5, scheme: 'T' });
    const r = createEpsilonFirst(3, 2, { budget: 1, epsilon: 0.5, scheme: 'R' });
    expect(decideSet(t, state, 1, c)).toEqual([0, 2]);
    expect(decideSet(r, state, 1, c)).toEqual([0, 1]);
  });

  it('KUBE uses u_i = mean reward + sqrt(2 ln t / n_i) over the mean cost (Scheme T)', () => {
    const state = createBudgetedStats(3);
    state.rounds = 9;
    state.pulls.set([5, 2, 2]);
    state.sumReward.set([4, 1, 0.5]);
    state.sumCost.set([2.5, 1, 0.4]);
    const kube = createKube(3, 1, { scheme: 'T' });
    const idx = [0, 1, 2].map(
      (i) =>
        (state.sumReward[i]! / state.pulls[i]! + Math.sqrt((2 * Math.log(10)) / state.pulls[i]!)) /
        (state.sumCost[i]! / state.pulls[i]!),
    );
    const best = idx.indexOf(Math.max(...idx));
    expect(decideSet(kube, state)).toEqual([best]);
  });

  it('UCB-BV1 gives +Infinity while eps_i >= lambda, else the published index', () => {
    const state = createBudgetedStats(2);
    state.rounds = 100;
    state.pulls.set([10_000, 10]);
    state.sumReward.set([9000, 1]);
    state.sumCost.set([1000, 5]);
    // Arm 1: eps = sqrt(ln 100 / 10) = 0.68 >= lambda = 0.1 -> +Infinity, pulled although its ratio is worse.
    const ucb = createUcbBv1(2, 1, { lambda: 0.1 });
    expect(decideSet(ucb, state)).toEqual([1]);
    state.pulls[1] = 1e6;
    state.sumReward[1] = 1e5;
    state.sumCost[1] = 5e5;
    expect(decideSet(ucb, state)).toEqual([0]);
  });
});

describe('state is additive', () => {
  const observations = fc.array(
    fc.record({
      arms: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 2 }),
      r: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 2 }),
      c: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 2 }),
    }),
    { maxLength: 12 },
  );

  function fold(obs: { arms: number[]; r: number[]; c: number[] }[], seed: number): BudgetedStats {
    const mrcb = createMrcb(5, 2);
    const s = createBudgetedStats(5);
    const rng = createRng(seed);
    for (const o of obs) mrcb.learnInto(s, ctx, o.arms, o.r, o.c, rng);
    return s;
  }

  function close(x: BudgetedStats, y: BudgetedStats): void {
    expect(x.rounds).toBe(y.rounds);
    for (const f of ['pulls', 'sumReward', 'sumCost', 'trialReward', 'trialCost'] as const) {
      for (let i = 0; i < x.K; i++) expect(x[f][i]!).toBeCloseTo(y[f][i]!, 12);
    }
  }

  test.prop([observations, observations, observations], { seed: 4, numRuns: 200 })(
    'merge is associative and commutative, and merging deltas equals learning in order',
    (o1, o2, o3) => {
      const a = fold(o1, 1);
      const b = fold(o2, 1);
      const c = fold(o3, 1);
      close(mergeBudgetedStats(a, b), mergeBudgetedStats(b, a));
      close(mergeBudgetedStats(mergeBudgetedStats(a, b), c), mergeBudgetedStats(a, mergeBudgetedStats(b, c)));
      close(mergeBudgetedStats(mergeBudgetedStats(a, b), c), fold([...o1, ...o2, ...o3], 1));
    },
  );

  it('a delta merged into the state equals learning in place (BTS, with its Bernoulli trials)', () => {
    const bts = createBts(3, 2);
    const s1 = createBudgetedStats(3);
    const d = budgetedDelta(bts, ctx, [0, 2], [0.4, 1], [0.5, 0], createRng(3));
    bts.learnInto(s1, ctx, [0, 2], [0.4, 1], [0.5, 0], createRng(3));
    expect(mergeBudgetedStats(createBudgetedStats(3), d)).toEqual(s1);
    expect(() => mergeBudgetedStats(s1, createBudgetedStats(4))).toThrow(/same K/);
  });
});

describe('observations outside the model are refused', () => {
  it('every policy rejects rewards or costs outside [0, 1], NaN and arms outside [0, K)', () => {
    for (const name of ['mrcb', 'bts', 'kube', 'eps-first', 'ucb-bv1'] as const) {
      const spec =
        name === 'ucb-bv1'
          ? { name, scheme: 'T' as const, lambda: 0.1 }
          : name === 'eps-first'
            ? { name, budget: 100 }
            : { name };
      const p = createBudgetedPolicy(spec, 3, 1);
      const st = createBudgetedStats(3);
      const ctx: BudgetedContext = { spent: 0 };
      const rng = createRng(1);
      expect(() => p.learnInto(st, ctx, [0], [1.5], [0.5], rng)).toThrow(
        /rewards\[0\] must be in \[0, 1\] \(got 1.5\)/,
      );
      expect(() => p.learnInto(st, ctx, [0], [0.5], [-0.1], rng)).toThrow(/costs\[0\] must be in \[0, 1\]/);
      expect(() => p.learnInto(st, ctx, [0], [Number.NaN], [0.5], rng)).toThrow(/got NaN/);
      expect(() => p.learnInto(st, ctx, [3], [0.5], [0.5], rng)).toThrow(
        /arms\[0\] must be an integer in \[0, 3\)/,
      );
      // eps-first after its exploration budget still checks what it ignores.
      expect(() => p.learnInto(st, { spent: 1e9 }, [0], [2], [0.5], rng)).toThrow(/rewards\[0\]/);
    }
  });
});
