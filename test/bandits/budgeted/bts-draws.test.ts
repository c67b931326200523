import { describe, expect, it } from 'vitest';
import { createBts } from '../../../src/bandits/budgeted/bts.js';
import { type BudgetedContext, MIN_NUMERATOR } from '../../../src/bandits/budgeted/policy.js';
import { createBudgetedStats } from '../../../src/bandits/budgeted/stats.js';
import { createRng } from '../../../src/core/rng.js';

const ctx: BudgetedContext = { spent: 0 };

/**
 * BTS at L = 1 draws theta_r only for the arms that can still win. Its choice must have the law of the full draw:
 * argmax_i max(theta_r_i, 1e-12) / theta_c_i (Scheme R; theta_r / theta_c for T) with every theta drawn, here by
 * @stdlib's Beta sampler (an independent implementation). A chi-square test over the arms, at the 0.1 % level.
 */
describe('BTS with L = 1: the pruned draws choose with the law of the full draw', () => {
  // Arm 0 most pulled (drawn first); arms 1-3 close to it in ratio, arm 4 a high-cost arm that is almost always pruned
  // yet wins now and then (few pulls, wide posterior), arm 5 never pulled (Beta(1, 1) twice).
  const pulls = [400, 60, 30, 12, 6, 0];
  const sr = [240, 30, 20, 7, 4, 0];
  const scost = [120, 15, 12, 6, 5, 0];
  const K = pulls.length;
  const N = 30_000;

  for (const scheme of ['R', 'T'] as const) {
    it(`Scheme ${scheme}`, () => {
      const state = createBudgetedStats(K);
      for (let i = 0; i < K; i++) {
        state.pulls[i] = pulls[i]!;
        state.trialReward[i] = sr[i]!;
        state.trialCost[i] = scost[i]!;
      }
      const bts = createBts(K, 1, { scheme });
      const rng = createRng(21);
      const out = new Int32Array(1);
      const got = new Array<number>(K).fill(0);
      for (let n = 0; n < N; n++) {
        bts.decide(state, ctx, rng, out);
        got[out[0]!]!++;
      }
      const ref = createRng(22);
      const want = new Array<number>(K).fill(0);
      for (let n = 0; n < N; n++) {
        let best = -1;
        let bestKey = -Infinity;
        for (let i = 0; i < K; i++) {
          const tr = ref.beta(sr[i]! + 1, pulls[i]! - sr[i]! + 1);
          const tc = ref.beta(scost[i]! + 1, pulls[i]! - scost[i]! + 1);
          const key = scheme === 'T' ? tr / tc : Math.max(tr, MIN_NUMERATOR) / tc;
          if (key > bestKey) {
            bestKey = key;
            best = i;
          }
        }
        want[best]!++;
      }
      // Two-sample chi-square over the arms both samples chose (df = cells - 1).
      let chi2 = 0;
      let cells = 0;
      for (let i = 0; i < K; i++) {
        const tot = got[i]! + want[i]!;
        if (tot === 0) continue;
        cells++;
        const e = tot / 2;
        chi2 += ((got[i]! - e) ** 2 + (want[i]! - e) ** 2) / e;
      }
      // Every arm wins sometimes (the test exercises the pruning and the wins of pruned-prone arms).
      expect(cells).toBe(K);
      for (let i = 0; i < K; i++) expect(got[i]).toBeGreaterThan(30);
      // 0.1 % critical values of chi-square with df = 5: 20.52.
      expect(chi2).toBeLessThan(20.52);
    });
  }

  it('is deterministic: the same state and seed give the same choices', () => {
    const state = createBudgetedStats(K);
    for (let i = 0; i < K; i++) {
      state.pulls[i] = pulls[i]!;
      state.trialReward[i] = sr[i]!;
      state.trialCost[i] = scost[i]!;
    }
    const runOnce = (): number[] => {
      const bts = createBts(K, 1);
      const rng = createRng(5);
      const out = new Int32Array(1);
      const xs: number[] = [];
      for (let n = 0; n < 200; n++) {
        bts.decide(state, ctx, rng, out);
        xs.push(out[0]!);
      }
      return xs;
    };
    expect(runOnce()).toEqual(runOnce());
  });
});
