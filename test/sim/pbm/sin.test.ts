import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import {
  contextualize,
  createSinInstance,
  createSinStream,
  examinationProbabilities,
  expectedReward,
  PBM_SIM_DEFAULTS,
  type PbmSimInput,
  runPbmJob,
  summarizePbm,
  validatePbmSimInput,
} from '../../../src/sim/pbm/index.js';
import { runReplicationsSync } from '../../../src/sim/replicate.js';

describe('SINREAL / SINBIN', () => {
  const inst = createSinInstance({}, createRng(1));
  const stream = createSinStream(inst, 'sinreal', 400, createRng(2));

  it('builds 25 unit-norm contextualised vectors of dimension 5 + 10 + 50 = 65', () => {
    expect(inst.dim).toBe(65);
    const xs = new Float64Array(25 * 65);
    contextualize(inst, stream.contexts, 7, xs);
    for (let k = 0; k < 25; k++) {
      let n = 0;
      for (let i = 0; i < 65; i++) n += xs[k * 65 + i]! ** 2;
      expect(n).toBeCloseTo(1, 12);
    }
    // the product block is a_i c_j, action index outer
    const a = inst.actionVectors;
    const c = stream.contexts;
    const norm = Math.hypot(...Array.from(xs.subarray(0, 65)).map((v) => v)); // 1
    expect(norm).toBeCloseTo(1, 12);
    const ratio = xs[15 + 2 * 10 + 3]! / (xs[2]! * xs[5 + 3]!);
    const rawNorm = Math.sqrt(
      [...a.subarray(0, 5)].reduce((s, v) => s + v * v, 0) *
        (1 + [...c.subarray(70, 80)].reduce((s, v) => s + v * v, 0)) +
        [...c.subarray(70, 80)].reduce((s, v) => s + v * v, 0),
    );
    if (xs[2]! !== 0 && xs[8]! !== 0) expect(ratio).toBeCloseTo(rawNorm, 9);
  });

  it('has about 10% zeros in the raw action and context entries, a unit w and rewards in [0, 1]', () => {
    const big = createSinStream(inst, 'sinreal', 5000, createRng(3));
    let zeros = 0;
    for (const v of big.contexts) if (v === 0) zeros++;
    expect(zeros / big.contexts.length).toBeGreaterThan(0.09);
    expect(zeros / big.contexts.length).toBeLessThan(0.11);
    expect(Math.hypot(...inst.w)).toBeCloseTo(1, 12);
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of big.rewards) {
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('gives reward = clip(<w, x> + U[-0.1, 0.1]) (within the noise of the exact inner product)', () => {
    const xs = new Float64Array(25 * 65);
    contextualize(inst, stream.contexts, 11, xs);
    for (let k = 0; k < 25; k++) {
      let m = 0;
      for (let i = 0; i < 65; i++) m += inst.w[i]! * xs[k * 65 + i]!;
      expect(Math.abs(stream.rewards[11 * 25 + k]! - Math.min(1, Math.max(0, m)))).toBeLessThanOrEqual(
        0.1 + 1e-12,
      );
    }
  });

  it('thresholds SINBIN at the median: about half the rewards are 1', () => {
    const bin = createSinStream(inst, 'sinbin', 2000, createRng(4));
    let ones = 0;
    let other = 0;
    for (const r of bin.rewards) {
      if (r !== 0 && r !== 1) other++;
      ones += r;
    }
    expect(other).toBe(0);
    expect(Math.abs(ones / bin.rewards.length - 0.5)).toBeLessThan(0.01);
    expect(bin.threshold).toBeGreaterThan(0);
  });

  it('examines position ℓ with probability (1 - ε)/exp(ℓ - 1)', () => {
    expect(Array.from(examinationProbabilities(2, 0.5))).toEqual([0.5, 0.5 * Math.exp(-1)]);
    expect(() => examinationProbabilities(3, 1)).toThrowError(
      expect.objectContaining({ code: 'ALLOT_OUT_OF_RANGE' }),
    );
  });
});

describe('PBM simulation job', () => {
  const base: PbmSimInput = {
    ...PBM_SIM_DEFAULTS,
    dataset: 'sinreal',
    positions: 5,
    rounds: 1500,
    policies: ['random'],
    seed: 3,
  };

  it('Random Selection with 5 positions earns about Σ_{ℓ<5} e^{-ℓ} = 1.5713 times its 1-position reward', () => {
    const one = { ...base, positions: 1 };
    const r5 = summarizePbm(base, runReplicationsSync(runPbmJob, base, { runs: 3, seed: 3 }));
    const r1 = summarizePbm(one, runReplicationsSync(runPbmJob, one, { runs: 3, seed: 3 }));
    const ratio = r5[0]!.cumulativeReward.mean / r1[0]!.cumulativeReward.mean;
    // paper: 70,780.10 / 45,044.14 = 1.5714 (Table 1)
    expect(Math.abs(ratio - 1.5713)).toBeLessThan(0.02);
  });

  it('is deterministic and gives every policy of a run the same users (common random numbers)', () => {
    const input = { ...base, policies: ['lints-pbm-em', 'linucb'], rounds: 300 };
    const a = runReplicationsSync(runPbmJob, input, { runs: 4, seed: 9 });
    const b = runReplicationsSync(runPbmJob, input, { runs: 4, seed: 9 });
    expect(a.map((r) => r.cumulativeReward)).toEqual(b.map((r) => r.cumulativeReward));
    expect(a[0]!.run).toBe(0);
    expect(a[3]!.run).toBe(1);
    const s = summarizePbm(input, a);
    expect(s.map((p) => p.name)).toEqual(['lints-pbm-em', 'linucb']);
    expect(s[0]!.positionBias).toHaveLength(5);
    expect(s[1]!.positionBias).toBeNull();
  });

  it('rejects positions > actions and unknown policies', () => {
    expect(() => validatePbmSimInput({ ...base, positions: 26 })).toThrowError(
      expect.objectContaining({ code: 'ALLOT_OUT_OF_RANGE' }),
    );
    expect(() => validatePbmSimInput({ ...base, policies: ['linucb', 'greedy'] })).toThrowError(
      expect.objectContaining({ code: 'ALLOT_UNKNOWN_OPTION' }),
    );
  });
});

describe('oracle and expected rewards (issue 13)', () => {
  it('expected reward: E[clip(m + U[-h, h], 0, 1)] by quadrature, and P(m + u >= τ) for SINBIN', () => {
    const h = 0.1;
    for (const m of [-0.2, -0.05, 0.03, 0.4, 0.95, 1.02, 1.3]) {
      let s = 0;
      const n = 20000;
      for (let i = 0; i < n; i++) {
        const v = m - h + (2 * h * (i + 0.5)) / n;
        s += v < 0 ? 0 : Math.min(v, 1);
      }
      expect(expectedReward(m, h, null)).toBeCloseTo(s / n, 8);
    }
    expect(expectedReward(0.6, 0.1, 0.6)).toBeCloseTo(0.5, 14);
    expect(expectedReward(0.45, 0.1, 0.6)).toBe(0);
    expect(expectedReward(0.75, 0.1, 0.6)).toBe(1);
  });

  it('regret against the oracle is >= 0 and non-decreasing, and Random has the largest', () => {
    const input: PbmSimInput = {
      ...PBM_SIM_DEFAULTS,
      dataset: 'sinbin',
      positions: 3,
      rounds: 400,
      seed: 5,
      checkpoints: 4,
      policies: ['lints-pbm-real', 'random'],
    };
    const a = runPbmJob(input, 0, createRng(5).fork(0));
    const r = runPbmJob(input, 1, createRng(5).fork(1));
    for (const res of [a, r]) {
      expect(res.regret).toHaveLength(4);
      for (let i = 0; i < 4; i++) {
        expect(res.regret[i]).toBeGreaterThanOrEqual(0);
        if (i > 0) expect(res.regret[i]).toBeGreaterThanOrEqual(res.regret[i - 1]!);
        expect(res.ndcg[i]! >= 0 && res.ndcg[i]! <= 1).toBe(true);
      }
      expect(res.oracleReward).toBeCloseTo(a.oracleReward, 9);
    }
    expect(r.regret[3]).toBeGreaterThan(a.regret[3]!);
  });
});
