import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  type BanditLog,
  evaluatePolicy,
  fitRewardModel,
  onPolicyValue,
  uniformPolicy,
} from '../../src/evaluate/index.js';

/** A uniform-logged log over 3 actions, reward depending on the action (and, if `linear`, continuous). */
function makeLog(n: number, seed: number, linear: boolean): BanditLog {
  const rng = createRng(seed);
  const mu = [0.1, 0.5, 0.8];
  const action = new Int32Array(n);
  const reward = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.int(3);
    action[i] = a;
    reward[i] = linear ? mu[a]! : rng.uniform() < mu[a]! ? 1 : 0;
  }
  return {
    n,
    actions: ['a', 'b', 'c'],
    nPositions: 1,
    action,
    position: new Int32Array(n),
    reward,
    pscore: new Float64Array(n).fill(1 / 3),
    impression: Int32Array.from({ length: n }, (_, i) => i),
    nImpressions: n,
    skipped: 0,
  };
}

describe('reward model', () => {
  it('the linear kind with a small penalty recovers noise-free action means', () => {
    const log = makeLog(300, 1, true);
    const prob = new Float64Array(300 * 3).fill(1 / 3);
    const f = fitRewardModel(log, prob, { kind: 'linear', l2: 1e-6, folds: 3 });
    expect(f.kind).toBe('linear');
    for (let i = 0; i < 300; i++) expect(f.qLogged[i]!).toBeCloseTo([0.1, 0.5, 0.8][log.action[i]!]!, 4);
    for (let i = 0; i < 300; i++) expect(f.qTarget[i]!).toBeCloseTo((0.1 + 0.5 + 0.8) / 3, 4);
  });
  it('the logistic kind is chosen for 0/1 rewards, predicts in (0, 1) and orders the actions', () => {
    const log = makeLog(3000, 2, false);
    const f = fitRewardModel(log, new Float64Array(9000).fill(1 / 3));
    expect(f.kind).toBe('logistic');
    const byAction = [0, 0, 0];
    const cnt = [0, 0, 0];
    for (let i = 0; i < log.n; i++) {
      byAction[log.action[i]!]! += f.qLogged[i]!;
      cnt[log.action[i]!]!++;
    }
    const m = byAction.map((s, a) => s / cnt[a]!);
    expect(m[0]!).toBeLessThan(m[1]!);
    expect(m[1]!).toBeLessThan(m[2]!);
    expect(Math.abs(m[2]! - 0.8)).toBeLessThan(0.05);
  });
  it('rejects more folds than impressions', () => {
    expect(() => fitRewardModel(makeLog(2, 1, true), new Float64Array(6), { folds: 3 })).toThrow(
      /folds \(3\) must not exceed/,
    );
  });
});

describe('evaluatePolicy', () => {
  it('a uniform target on a uniform log gives the on-policy mean (IPW, SNIPW exactly; DM and DR within 2 se)', () => {
    const log = makeLog(2000, 3, false);
    const r = evaluatePolicy(log, uniformPolicy(), { bootstrap: 100, seed: 1 });
    const truth = onPolicyValue(log);
    expect(r.estimates['ipw']!.value).toBeCloseTo(truth.value, 12);
    expect(r.estimates['snipw']!.value).toBeCloseTo(truth.value, 12);
    for (const k of ['dm', 'dr', 'sndr', 'switch-dr', 'dros'])
      expect(Math.abs(r.estimates[k]!.value! - truth.value)).toBeLessThan(2 * truth.se);
    expect(r.diagnostics.ess).toBeCloseTo(2000, 6);
  });
});
