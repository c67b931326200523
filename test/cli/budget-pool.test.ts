import { describe, expect, it } from 'vitest';
import {
  type BudgetSimulationSetting,
  runBudgetSimulation,
  runBudgetSimulations,
} from '../../src/cli/commands/budget.js';
import { generateBudgetedInstance } from '../../src/sim/budgeted/env.js';
import { budgetedReplication, optimalRatio } from '../../src/sim/budgeted/run.js';
import { expandPolicies, normalizeCheckpoints, summarizeBudgeted } from '../../src/sim/budgeted/simulate.js';
import type { PoolStats } from '../../src/sim/pool.js';
import { runReplicationsSync } from '../../src/sim/replicate.js';

const base: BudgetSimulationSetting = {
  dist: 'multinomial',
  arms: 8,
  plays: 1,
  budget: 1500,
  instanceSeed: 3,
  runs: 4,
  seed: 7,
  policies: ['mrcb', 'bts', 'kube', 'eps-first', 'ucb-bv1'],
  scheme: 'R',
  kappa: 0.0625,
  epsilon: 0.1,
  correlation: 0,
  checkpoints: [500, 1000, 1500],
};

/** Summaries without the timing field. */
function strip(ps: { seconds: number }[]): unknown {
  return ps.map(({ seconds: _s, ...rest }) => rest);
}

/** The summaries of the whole-replication path (every policy of a run in one call), in the calling thread. */
function legacy(s: BudgetSimulationSetting): unknown {
  const instance = generateBudgetedInstance({ dist: s.dist, K: s.arms, seed: s.instanceSeed });
  let lambda = Infinity;
  for (const c of instance.costMean) lambda = Math.min(lambda, c);
  const policies = expandPolicies(s.policies, s.scheme, { kappa: s.kappa, epsilon: s.epsilon, lambda });
  const checkpoints = normalizeCheckpoints(s.checkpoints, s.budget);
  const { rhoStar } = optimalRatio(instance, s.plays);
  const runs = runReplicationsSync(
    budgetedReplication,
    { instance, L: s.plays, checkpoints, rhoStar, policies, crn: s.crn === true },
    { runs: s.runs, seed: s.seed },
  );
  return strip(summarizeBudgeted(policies, checkpoints, runs));
}

describe('budget simulations on one pool, one job per (setting, run, policy)', () => {
  const settings: BudgetSimulationSetting[] = [
    base,
    { ...base, dist: 'beta', arms: 6, plays: 2, scheme: 'both', seed: 2, crn: true },
  ];

  it('equal the whole-replication path, for one pool over both settings and per setting, on 1 or 2 workers', async () => {
    const stats: PoolStats = { wallMs: 0, busyMs: [], done: [] };
    const both = await runBudgetSimulations(settings, { workers: 2, progress: false, stats });
    const one = await runBudgetSimulation(settings[1]!, { workers: 1, progress: false });
    for (let k = 0; k < settings.length; k++) expect(strip(both[k]!.policies)).toEqual(legacy(settings[k]!));
    expect(strip(one.policies)).toEqual(strip(both[1]!.policies));
    expect(both[1]!.setting).toEqual(one.setting);
    // 4 runs x 5 policies + 4 runs x 8 (policy, scheme) entries.
    expect(stats.done.reduce((a, b) => a + b, 0)).toBe(4 * 5 + 4 * 8);
    expect(stats.busyMs).toHaveLength(2);
  });

  it('rejects L > K before any work, naming the option', async () => {
    await expect(runBudgetSimulations([base, { ...base, plays: 9 }], { workers: 1 })).rejects.toMatchObject({
      code: 'ALLOT_OUT_OF_RANGE',
    });
  });
});
