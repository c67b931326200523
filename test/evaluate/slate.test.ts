import { describe, expect, it } from 'vitest';
import {
  type BanditLog,
  epsilonGreedyPolicy,
  estimateSlate,
  impressionIndex,
  pinvSymmetric,
  uniformPolicy,
  uniformSlateGamma,
} from '../../src/evaluate/index.js';

/** Every ordered slate of L distinct items out of K. */
function allSlates(K: number, L: number): number[][] {
  const out: number[][] = [];
  const rec = (pre: number[]) => {
    if (pre.length === L) out.push(pre);
    else for (let a = 0; a < K; a++) if (!pre.includes(a)) rec([...pre, a]);
  };
  rec([]);
  return out;
}

/** A log holding each slate once (a uniform logger's exact expectation), with additive rewards phi(k, a). */
function exhaustiveLog(K: number, L: number, phi: (k: number, a: number) => number): BanditLog {
  const slates = allSlates(K, L);
  const n = slates.length * L;
  const log: BanditLog = {
    n,
    actions: Array.from({ length: K }, (_, a) => `i${a}`),
    nPositions: L,
    action: new Int32Array(n),
    position: new Int32Array(n),
    reward: new Float64Array(n),
    pscore: new Float64Array(n).fill(1 / K),
    impression: new Int32Array(n),
    nImpressions: slates.length,
    skipped: 0,
  };
  for (let j = 0; j < slates.length; j++) {
    for (let k = 0; k < L; k++) {
      const i = j * L + k;
      log.action[i] = slates[j]![k]!;
      log.position[i] = k;
      log.reward[i] = phi(k, slates[j]![k]!);
      log.impression[i] = j;
    }
  }
  return log;
}

describe('slate estimators', () => {
  const K = 4;
  const L = 2;
  const phi = (k: number, a: number) => (k === 0 ? 0.1 * (a + 1) : 0.05 * ((a * 7) % 5));
  const log = exhaustiveLog(K, L, phi);
  const policy = epsilonGreedyPolicy({ ranking: ['i2', 'i0'], epsilon: 0.3 });
  const dist = policy.distribution(log);
  // Truth per row: sum over slates of pi(s) * (reward of s) / L.
  let truth = 0;
  for (const s of allSlates(K, L)) {
    const pi = (s[0] === 2 && s[1] === 0 ? 0.7 : 0) + 0.3 / (K * (K - 1));
    truth += (pi * (phi(0, s[0]!) + phi(1, s[1]!))) / L;
  }
  const idx = impressionIndex(log);
  for (const kind of ['independent', 'standard', 'pi'] as const) {
    it(`${kind} IPS is exact in expectation for additive slot rewards under a uniform logger (every slate once)`, () => {
      expect(estimateSlate(log, dist, idx, kind).estimate.value).toBeCloseTo(truth, 12);
    });
  }
  it('the pseudo-inverse satisfies A A+ A = A for the uniform-ordering Gamma', () => {
    const m = 2;
    const c = 5;
    const d = m * c;
    const G = uniformSlateGamma(m, c);
    const P = pinvSymmetric(d, G);
    const mul = (A: Float64Array, B: Float64Array) => {
      const o = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let k = 0; k < d; k++)
          for (let j = 0; j < d; j++) o[i * d + j]! += A[i * d + k]! * B[k * d + j]!;
      return o;
    };
    const GPG = mul(mul(G, P), G);
    for (let i = 0; i < d * d; i++) expect(GPG[i]!).toBeCloseTo(G[i]!, 12);
  });
  it('with one row per impression all three reduce to IPW', () => {
    const one: BanditLog = {
      ...log,
      impression: Int32Array.from({ length: log.n }, (_, i) => i),
      nImpressions: log.n,
    };
    const d1 = uniformPolicy().distribution(one);
    const i1 = impressionIndex(one);
    const vals = (['independent', 'standard', 'pi'] as const).map(
      (k) => estimateSlate(one, d1, i1, k).estimate.value!,
    );
    const mean = one.reward.reduce((a, b) => a + b, 0) / one.n;
    for (const v of vals) expect(v).toBeCloseTo(mean, 12);
  });
  it('standard IPS and the pseudo-inverse refuse multi-slot impressions of a non-uniform logger', () => {
    const skew: BanditLog = { ...log, pscore: log.pscore.map((p, i) => (i === 0 ? 0.5 : p)) };
    expect(() => estimateSlate(skew, dist, idx, 'standard')).toThrow(/slate probabilities/);
    expect(() => estimateSlate(skew, dist, idx, 'pi')).toThrow(/not uniform/);
  });
});
