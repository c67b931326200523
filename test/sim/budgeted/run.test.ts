import { describe, expect, it } from 'vitest';
import { createBudgetedPolicy } from '../../../src/bandits/budgeted/create.js';
import { createMrcb } from '../../../src/bandits/budgeted/mrcb.js';
import { createRng, type Rng } from '../../../src/core/rng.js';
import {
  type BudgetedEnv,
  createBernoulliInstance,
  createBudgetedEnv,
  generateBudgetedInstance,
} from '../../../src/sim/budgeted/env.js';
import {
  budgetedReplication,
  createArmStreams,
  ENV_STREAM,
  JOB_MODULE,
  optimalRatio,
  policyStream,
  runBudgetedEpisode,
} from '../../../src/sim/budgeted/run.js';
import {
  defaultCheckpoints,
  expandPolicies,
  normalizeCheckpoints,
  summarizeBudgeted,
} from '../../../src/sim/budgeted/simulate.js';
import { runReplications } from '../../../src/sim/pool.js';
import { runReplicationsSync } from '../../../src/sim/replicate.js';

/** Every pull earns reward 1 and costs exactly `cost` (binary-exact costs keep the arithmetic exact). */
function fixedEnv(K: number, cost: number): BudgetedEnv {
  return {
    K,
    rewardMean: new Float64Array(K).fill(1),
    costMean: new Float64Array(K).fill(cost),
    sample(_i: number, _rng: Rng, out: Float64Array): void {
      out[0] = 1;
      out[1] = cost;
    },
  };
}

describe('the budget rule', () => {
  it('the round that overdraws the budget earns nothing and ends the run; B_t = 0 still earns', () => {
    const policy = createMrcb(2, 1);
    // Costs 0.25 per round: budget 1 allows exactly 4 rounds (B_4 = 0 >= 0), the 5th would overdraw.
    const ep = runBudgetedEpisode(fixedEnv(2, 0.25), policy, 1, [1], createRng(1));
    expect(ep.rounds).toBe(4);
    expect(ep.reward).toBe(4);
    expect(ep.spent).toBe(1);
    // Budget 1.1: the 5th round would end at 1.25 > 1.1, so it is forfeited too.
    const ep2 = runBudgetedEpisode(fixedEnv(2, 0.25), policy, 1.1, [1.1], createRng(1));
    expect(ep2.rounds).toBe(4);
    expect(ep2.reward).toBe(4);
  });

  it('with L plays the whole round is forfeited when its summed cost overdraws', () => {
    const policy = createMrcb(3, 2);
    // Each round costs 2 * 0.25 = 0.5 and earns 2. Budget 1.25: 2 rounds (spent 1.0); the 3rd would reach 1.5.
    const ep = runBudgetedEpisode(fixedEnv(3, 0.25), policy, 1.25, [1.25], createRng(1));
    expect(ep.rounds).toBe(2);
    expect(ep.reward).toBe(4);
  });

  it('reads every checkpoint from one anytime run with the same rule applied at b', () => {
    const policy = createMrcb(2, 1);
    const ep = runBudgetedEpisode(fixedEnv(2, 0.25), policy, 2, [0.6, 1, 1.5, 2], createRng(1));
    // Rounds finishing with spent <= 0.6: 2 (0.25, 0.5); <= 1: 4; <= 1.5: 6; <= 2: 8.
    expect(Array.from(ep.rewardAt)).toEqual([2, 4, 6, 8]);
    expect(Array.from(ep.pseudoAt)).toEqual([2, 4, 6, 8]);
    expect(Array.from(ep.pseudoCostAt)).toEqual([0.5, 1, 1.5, 2]);
  });
});

describe('gap regret (Eq. 10)', () => {
  it('is the sum over played rounds of rho* x mean cost - mean reward, the same for every run of M_g on I*', () => {
    // Two arms with fixed draws: arm 0 (reward 1, cost 0.25, ratio 4) is optimal; arm 1 (reward 0.5, cost 0.25).
    const env: BudgetedEnv = {
      K: 2,
      rewardMean: Float64Array.from([1, 0.5]),
      costMean: Float64Array.from([0.25, 0.25]),
      sample(i: number, _rng: Rng, out: Float64Array): void {
        out[0] = i === 0 ? 1 : 0.5;
        out[1] = 0.25;
      },
    };
    const instance = { ...generateBudgetedInstance({ dist: 'bernoulli', K: 2, seed: 1 }) };
    const policy = createBudgetedPolicy({ name: 'mrcb' }, 2, 1);
    const ep = runBudgetedEpisode(env, policy, 2, [1, 2], createRng(1));
    // Whatever MRCB pulled, gap = 4 * 0.25 * rounds - (mean rewards pulled) >= 0, and 0 exactly when it pulled arm 0.
    for (let j = 0; j < 2; j++) {
      const gap = 4 * ep.pseudoCostAt[j]! - ep.pseudoAt[j]!;
      expect(gap).toBeGreaterThanOrEqual(0);
    }
    expect(instance.K).toBe(2);
    // 8 rounds in all; arm 1 (gap 4 * 0.25 - 0.5 = 0.5 per pull) is pulled at least once in the initialisation.
    expect(4 * ep.pseudoCostAt[1]! - ep.pseudoAt[1]!).toBeGreaterThanOrEqual(0.5);
  });
});

describe('environments', () => {
  it('sample means match the instance means for each family', () => {
    for (const dist of ['multinomial', 'beta', 'bernoulli'] as const) {
      const inst = generateBudgetedInstance({ dist, K: 3, seed: 2 });
      const env = createBudgetedEnv(inst);
      const rng = createRng(3);
      const out = new Float64Array(2);
      for (let i = 0; i < 3; i++) {
        let sr = 0;
        let sc = 0;
        const n = 20_000;
        let lo = Infinity;
        let hi = -Infinity;
        for (let k = 0; k < n; k++) {
          env.sample(i, rng, out);
          lo = Math.min(lo, out[0]!, out[1]!);
          hi = Math.max(hi, out[0]!, out[1]!);
          sr += out[0]!;
          sc += out[1]!;
        }
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        expect(Math.abs(sr / n - inst.rewardMean[i]!)).toBeLessThan(0.015);
        expect(Math.abs(sc / n - inst.costMean[i]!)).toBeLessThan(0.015);
      }
    }
  });

  it('multinomial draws lie on {0, .25, .5, .75, 1}', () => {
    const env = createBudgetedEnv(generateBudgetedInstance({ dist: 'multinomial', K: 4, seed: 1 }));
    const rng = createRng(1);
    const out = new Float64Array(2);
    for (let k = 0; k < 1000; k++) {
      env.sample(k % 4, rng, out);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(out[0]);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(out[1]);
    }
  });

  it('correlation couples reward and cost within an arm and keeps the marginals', () => {
    const corr = (rho: number): { r: number; mr: number } => {
      const inst = generateBudgetedInstance({ dist: 'beta', K: 1, seed: 5, correlation: rho });
      const env = createBudgetedEnv(inst);
      const rng = createRng(6);
      const out = new Float64Array(2);
      const n = 4000;
      let sx = 0;
      let sy = 0;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let k = 0; k < n; k++) {
        env.sample(0, rng, out);
        sx += out[0]!;
        sy += out[1]!;
        sxy += out[0]! * out[1]!;
        sxx += out[0]! ** 2;
        syy += out[1]! ** 2;
      }
      const cov = sxy / n - (sx / n) * (sy / n);
      const r = cov / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
      return { r, mr: Math.abs(sx / n - inst.rewardMean[0]!) };
    };
    const pos = corr(0.8);
    const neg = corr(-0.8);
    const none = corr(0);
    expect(pos.r).toBeGreaterThan(0.5);
    expect(neg.r).toBeLessThan(-0.5);
    expect(Math.abs(none.r)).toBeLessThan(0.08);
    expect(pos.mr).toBeLessThan(0.02);
  });

  it('the instance generator is seeded: same seed, same instance; costs bounded away from 0', () => {
    const a = generateBudgetedInstance({ dist: 'multinomial', K: 50, seed: 7 });
    expect(generateBudgetedInstance({ dist: 'multinomial', K: 50, seed: 7 })).toEqual(a);
    expect(generateBudgetedInstance({ dist: 'multinomial', K: 50, seed: 8 })).not.toEqual(a);
    expect(Math.min(...a.costMean)).toBeGreaterThanOrEqual(0.01);
    expect(() => generateBudgetedInstance({ dist: 'gauss' as never, K: 3, seed: 1 })).toThrow(
      /dist must be one of multinomial, beta, bernoulli/,
    );
    expect(() => createBernoulliInstance([0.5, 0.2], [0.5])).toThrow(/same length/);
    expect(() => createBernoulliInstance([0.5], [0])).toThrow(/costMean\[0\] must be in \(0, 1\]/);
  });

  it('rho*_L is the oracle on the true means', () => {
    const inst = createBernoulliInstance([1, 0.001, 1], [0.1, 0.0005, 0.11]);
    const { rhoStar, arms } = optimalRatio(inst, 2);
    expect(arms).toEqual([0, 1]);
    expect(rhoStar).toBeCloseTo(1.001 / 0.1005, 12);
  });
});

describe('replications', () => {
  const instance = generateBudgetedInstance({ dist: 'multinomial', K: 6, seed: 1 });
  const L = 2;
  const { rhoStar } = optimalRatio(instance, L);
  const checkpoints = defaultCheckpoints(400);
  const policies = expandPolicies(['mrcb', 'bts', 'kube', 'eps-first', 'ucb-bv1'], 'both', {
    lambda: Math.min(...instance.costMean),
  });
  const input = { instance, L, checkpoints, rhoStar, policies };

  it('give identical results for 1 and 2 workers and the single-threaded runner', async () => {
    const strip = (rs: { policies: { seconds: number }[] }[]): unknown =>
      rs.map((r) => r.policies.map(({ seconds: _s, ...rest }) => rest));
    const sync = runReplicationsSync(budgetedReplication, input, { runs: 4, seed: 3 });
    const two = await runReplications<typeof input, ReturnType<typeof budgetedReplication>>(
      { module: JOB_MODULE, name: 'budgetedReplication' },
      input,
      { runs: 4, seed: 3, workers: 2 },
    );
    expect(strip(two)).toEqual(strip(sync));
  });

  it("a policy's results do not depend on which other policies run beside it", () => {
    const all = budgetedReplication(input, 0, createRng(1).fork(0));
    const p = policies.findIndex((s) => s.name === 'bts' && s.scheme === 'T');
    const alone = budgetedReplication({ ...input, policies: [policies[p]!] }, 0, createRng(1).fork(0));
    expect(alone.policies[0]!.regret).toEqual(all.policies[p]!.regret);
    expect(new Set(policies.map(policyStream)).size).toBe(policies.length);
  });

  it('regret = b * rho* - reward at each checkpoint, eps-first once per budget, summarised over runs', () => {
    const runs = runReplicationsSync(budgetedReplication, input, { runs: 5, seed: 2 });
    const sum = summarizeBudgeted(policies, checkpoints, runs);
    expect(sum.map((s) => `${s.name}:${s.scheme}`)).toEqual([
      'mrcb:null',
      'bts:R',
      'bts:T',
      'kube:R',
      'kube:T',
      'eps-first:R',
      'eps-first:T',
      'ucb-bv1:T',
    ]);
    for (const s of sum) {
      expect(s.regret.mean).toHaveLength(10);
      expect(s.gapRegret.mean).toHaveLength(10);
      // Each round's gap rho* c(I) - r(I) with true means is >= 0 (rho* is the best ratio), so the gap regret is too.
      for (const g of s.gapRegret.mean) expect(g).toBeGreaterThanOrEqual(-1e-9);
      expect(s.finalRegretMean).toBe(s.regret.mean[9]);
      expect(Number.isFinite(s.finalRegretStd)).toBe(true);
      expect(s.finalRegretMean).toBeCloseTo(400 * rhoStar - s.rewardMean, 9);
    }
    // An anytime run's reward can only grow with b.
    const mrcbRun = runs[0]!.policies[0]!;
    for (let j = 1; j < 10; j++) {
      const r0 = checkpoints[j - 1]! * rhoStar - mrcbRun.regret[j - 1]!;
      const r1 = checkpoints[j]! * rhoStar - mrcbRun.regret[j]!;
      expect(r1).toBeGreaterThanOrEqual(r0);
    }
  });

  it('checkpoints are validated and completed with the budget', () => {
    expect(defaultCheckpoints(50_000)).toEqual([
      5000, 10000, 15000, 20000, 25000, 30000, 35000, 40000, 45000, 50000,
    ]);
    expect(normalizeCheckpoints([10, 20], 30)).toEqual([10, 20, 30]);
    expect(() => normalizeCheckpoints([10, 40], 30)).toThrow(/checkpoints\[1\] must be <= budget 30/);
    expect(() => normalizeCheckpoints([20, 10], 30)).toThrow(/strictly ascending/);
    expect(() => expandPolicies(['mrcb', 'greedy'], 'R')).toThrow(/policy must be one of/);
    expect(() => createBudgetedPolicy({ name: 'ucb-bv1', scheme: 'R', lambda: 0.1 }, 3, 1)).toThrow(
      /Scheme T only/,
    );
  });
});

describe('common random numbers (crn)', () => {
  const instance = generateBudgetedInstance({ dist: 'multinomial', K: 5, seed: 2 });
  const env = createBudgetedEnv(instance);

  it("arm i's n-th pull draws the same reward and cost whatever the policy pulled before", () => {
    // Record every (arm, reward, cost) of two different policies on the same per-arm streams.
    const record = (name: 'mrcb' | 'kube'): Map<number, number[][]> => {
      const draws = new Map<number, number[][]>();
      const spy: BudgetedEnv = {
        ...env,
        sample(i: number, rng: Rng, out: Float64Array): void {
          env.sample(i, rng, out);
          if (!draws.has(i)) draws.set(i, []);
          draws.get(i)!.push([out[0]!, out[1]!]);
        },
      };
      const policy = createBudgetedPolicy({ name }, 5, 2);
      runBudgetedEpisode(
        spy,
        policy,
        300,
        [300],
        createRng(7).fork(name.length),
        createArmStreams(createRng(1).fork(ENV_STREAM), 5),
      );
      return draws;
    };
    const a = record('mrcb');
    const b = record('kube');
    let compared = 0;
    for (const [arm, da] of a) {
      const db = b.get(arm) ?? [];
      const n = Math.min(da.length, db.length);
      for (let k = 0; k < n; k++) expect(db[k]).toEqual(da[k]);
      compared += n;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('crn pairs the policies of a replication and is reproducible; without it the old streams are kept', () => {
    const L = 2;
    const { rhoStar } = optimalRatio(instance, L);
    const checkpoints = [200, 400];
    const policies = expandPolicies(['mrcb', 'bts'], 'R');
    const base = { instance, L, checkpoints, rhoStar, policies };
    const off = budgetedReplication(base, 0, createRng(3).fork(0));
    const off2 = budgetedReplication({ ...base, crn: false }, 0, createRng(3).fork(0));
    const on = budgetedReplication({ ...base, crn: true }, 0, createRng(3).fork(0));
    const on2 = budgetedReplication({ ...base, crn: true }, 0, createRng(3).fork(0));
    const strip = (r: typeof on): unknown => r.policies.map(({ seconds: _s, ...x }) => x);
    expect(strip(off2)).toEqual(strip(off));
    expect(strip(on2)).toEqual(strip(on));
    expect(strip(on)).not.toEqual(strip(off));
  });
});
