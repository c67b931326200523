import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import {
  cloneRewardModel,
  createInteractionLog,
  createRewardModel,
  type InteractionLog,
  trainRewardModel,
} from '../../../src/sim/recsys/reward-model.js';

/** Adds `n` random impressions (and task events) to user i's rows. */
function logImpressions(log: InteractionLog, i: number, n: number, rng: ReturnType<typeof createRng>): void {
  const { users: U, topics: K, tasks: T } = log;
  for (let j = 0; j < n; j++) {
    const k = rng.int(K);
    log.shown[i * K + k]! += 1;
    log.shownTotal[i]! += 1;
    for (let t = 0; t < T; t++) if (rng.uniform() < 0.3 + 0.1 * t) log.events[t * U * K + i * K + k]! += 1;
  }
}

describe('reward model: keeping the factors of users without new data in the first user step', () => {
  for (const [rank, sweeps] of [
    [3, 1],
    [3, 2],
    [2, 1],
  ] as const) {
    it(`gives bit-identical factors and topic sides the next day (rank ${rank}, ${sweeps} sweep(s))`, () => {
      const U = 300;
      const K = 12;
      const T = 3;
      const rng = createRng(11);
      const log = createInteractionLog(U, K, T);
      for (let i = 0; i < U; i++) if (rng.uniform() < 0.8) logImpressions(log, i, 1 + rng.int(30), rng);
      const model = createRewardModel(T, K, { rank, sweeps }, createRng(3), [0.3, 0.05, 0.4]);
      const factors = new Float64Array(U * T * rank);
      const all = Int32Array.from({ length: U }, (_, i) => i);
      trainRewardModel(model, factors, log, all);
      // The next day: about a third of the users get impressions (some for the first time).
      const unchanged = new Uint8Array(U).fill(1);
      for (let i = 0; i < U; i++) {
        if (rng.uniform() < 0.35) {
          logImpressions(log, i, 1 + rng.int(10), rng);
          unchanged[i] = 0;
        }
      }
      const a = cloneRewardModel(model);
      const fa = factors.slice();
      trainRewardModel(a, fa, log, all);
      const b = cloneRewardModel(model);
      const fb = factors.slice();
      trainRewardModel(b, fb, log, all, unchanged);
      expect(Array.from(fb)).toEqual(Array.from(fa));
      expect(Array.from(b.mu)).toEqual(Array.from(a.mu));
      expect(Array.from(b.q)).toEqual(Array.from(a.q));
      // A wrong mask (users whose data did change) would give other numbers: the check can fail.
      const c = cloneRewardModel(model);
      const fc = factors.slice();
      trainRewardModel(c, fc, log, all, new Uint8Array(U).fill(1));
      expect(Array.from(c.q)).not.toEqual(Array.from(a.q));
    });
  }
});
