import { describe, expect, it } from 'vitest';
import { createKube } from '../../../src/bandits/budgeted/kube.js';
import { createMrcb } from '../../../src/bandits/budgeted/mrcb.js';
import {
  createIlfpWorkspace,
  ilfpOracleInto,
  schemeTInto,
  ZERO_COST_MAX_REWARD,
  ZERO_COST_RANDOM,
} from '../../../src/bandits/budgeted/oracle.js';
import { type BudgetedPolicy, MIN_NUMERATOR } from '../../../src/bandits/budgeted/policy.js';
import { type BudgetedStats, createBudgetedStats } from '../../../src/bandits/budgeted/stats.js';
import { createRng, type Rng } from '../../../src/core/rng.js';

/** The policies' L = 1 rounds as computed before the fast paths: every index, then the oracle or Scheme T. */
type Reference = (s: BudgetedStats, rng: Rng) => number;

function mrcbReference(K: number, kappa: number, zc: number): Reference {
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const ws = createIlfpWorkspace(K);
  const out = new Int32Array(1);
  return (s, rng) => {
    const lnT = Math.log(s.rounds);
    for (let i = 0; i < K; i++) {
      const n = s.pulls[i]!;
      if (n === 0) {
        a[i] = 1;
        b[i] = 0;
        continue;
      }
      const e = Math.sqrt((kappa * lnT) / n);
      a[i] = Math.max(Math.min(s.sumReward[i]! / n + e, 1), MIN_NUMERATOR);
      b[i] = Math.max(s.sumCost[i]! / n - e, 0);
    }
    ilfpOracleInto(K, a, b, 1, out, ws, zc, false, rng);
    return out[0]!;
  };
}

function kubeReference(K: number, schemeT: boolean, zc: number): Reference {
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const ws = createIlfpWorkspace(K);
  const out = new Int32Array(1);
  return (s, rng) => {
    const lnT = Math.log(s.rounds + 1);
    for (let i = 0; i < K; i++) {
      const n = s.pulls[i]!;
      let u = 1;
      let c = 0;
      if (n > 0) {
        u = s.sumReward[i]! / n + Math.sqrt((2 * lnT) / n);
        c = s.sumCost[i]! / n;
      }
      if (schemeT) a[i] = c > 0 ? u / c : Infinity;
      else {
        a[i] = Math.max(u, MIN_NUMERATOR);
        b[i] = c;
      }
    }
    if (schemeT) schemeTInto(K, a, 1, out);
    else ilfpOracleInto(K, a, b, 1, out, ws, zc, false, rng);
    return out[0]!;
  };
}

/**
 * Plays `rounds` rounds of two interleaved episodes on one policy object (so its cached bounds meet states they
 * were not computed from), rewards and costs on {0, .25, ..., 1} with many zero costs, and checks every round's
 * choice and random draws against the reference.
 */
function checkAgainst(policy: BudgetedPolicy, ref: Reference, K: number, rounds: number, seed: number): void {
  const data = createRng(seed);
  const states = [createBudgetedStats(K), createBudgetedStats(K)];
  const means = Array.from({ length: K }, () => [data.uniform(), data.uniform() * data.uniform()]);
  const out = new Int32Array(1);
  const init = Math.ceil(K / policy.L);
  let checked = 0;
  for (let t = 1; t <= rounds; t++) {
    for (const s of states) {
      const r1 = createRng(seed * 1000 + t);
      const r2 = createRng(seed * 1000 + t);
      policy.decide(s, { spent: 0 }, r1, out);
      const arm = out[0]!;
      if (s.rounds + 1 > init) {
        expect(arm).toBe(ref(s, r2));
        expect(r1.uint32()).toBe(r2.uint32());
        checked++;
      }
      const m = means[arm]!;
      const rw = Math.min(1, Math.round(4 * m[0]! + data.uniform() - 0.5) / 4);
      const cs = data.uniform() < 0.5 ? 0 : Math.min(1, Math.round(4 * m[1]! + data.uniform()) / 4);
      policy.learnInto(s, { spent: 0 }, out, [Math.max(0, rw)], [cs], data);
    }
  }
  expect(checked).toBeGreaterThan(rounds);
}

describe('MRCB and KUBE at L = 1 (bounds over windows of rounds) choose as with every index computed', () => {
  it('MRCB, zero-cost rule random and maxReward', () => {
    for (const [K, seed] of [
      [7, 1],
      [30, 2],
    ] as const) {
      checkAgainst(createMrcb(K, 1), mrcbReference(K, 0.0625, ZERO_COST_RANDOM), K, 3000, seed);
      checkAgainst(
        createMrcb(K, 1, { zeroCostTieBreak: 'maxReward', kappa: 2 }),
        mrcbReference(K, 2, ZERO_COST_MAX_REWARD),
        K,
        3000,
        seed + 10,
      );
    }
  });
  it('KUBE, Scheme R (both zero-cost rules) and Scheme T', () => {
    for (const [K, seed] of [
      [7, 3],
      [30, 4],
    ] as const) {
      checkAgainst(createKube(K, 1), kubeReference(K, false, ZERO_COST_RANDOM), K, 3000, seed);
      checkAgainst(
        createKube(K, 1, { zeroCostTieBreak: 'maxReward' }),
        kubeReference(K, false, ZERO_COST_MAX_REWARD),
        K,
        3000,
        seed + 10,
      );
      checkAgainst(createKube(K, 1, { scheme: 'T' }), kubeReference(K, true, 0), K, 3000, seed + 20);
    }
  });
});
