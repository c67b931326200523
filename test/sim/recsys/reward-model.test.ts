import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import {
  cloneRewardModel,
  createInteractionLog,
  createLogIndex,
  createRewardModel,
  type InteractionLog,
  indexLogInto,
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

/** The bytes of a Float64Array (bit-identical comparison, -0 and NaN payloads included). */
const bytes = (x: Float64Array): string => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');

describe('reward model: the indexed, task-merged rank-3 training', () => {
  for (const [tasks, sweeps] of [
    [3, 1],
    [3, 2],
    [2, 1],
  ] as const) {
    it(`gives bit-identical factors and topic sides to the per-task passes (${tasks} tasks, ${sweeps} sweep(s))`, () => {
      const U = 400;
      const K = 17;
      const rng = createRng(21 + sweeps);
      const log = createInteractionLog(U, K, tasks);
      for (let i = 0; i < U; i++) if (rng.uniform() < 0.7) logImpressions(log, i, 1 + rng.int(25), rng);
      const index = createLogIndex(U, K);
      const model = createRewardModel(tasks, K, { rank: 3, sweeps }, createRng(5), [0.3, 0.05, 0.4]);
      const all = Int32Array.from({ length: U }, (_, i) => i);
      const some = Int32Array.from(all.filter((i) => i % 3 !== 1));
      const fa = new Float64Array(U * tasks * 3);
      const fb = fa.slice();
      const a = cloneRewardModel(model);
      const b = cloneRewardModel(model);
      for (let day = 0; day < 3; day++) {
        const unchanged = new Uint8Array(U).fill(1);
        if (day > 0) {
          for (let i = 0; i < U; i++) {
            if (rng.uniform() < 0.3) {
              logImpressions(log, i, 1 + rng.int(8), rng);
              unchanged[i] = 0;
            }
          }
        }
        indexLogInto(log, index);
        const users = day === 1 ? some : all;
        const mask = day === 2 ? unchanged : undefined;
        trainRewardModel(a, fa, log, users, mask);
        trainRewardModel(b, fb, log, users, mask, index);
        expect(bytes(fb)).toBe(bytes(fa));
        expect(bytes(b.mu)).toBe(bytes(a.mu));
        expect(bytes(b.q)).toBe(bytes(a.q));
      }
      // The index lists exactly the cells with impressions, topics ascending.
      for (let i = 0; i < U; i++) {
        const listed = Array.from(index.topic.subarray(index.start[i]!, index.start[i + 1]!));
        const cells = [];
        for (let k = 0; k < K; k++) if (log.shown[i * K + k]! > 0) cells.push(k);
        expect(listed).toEqual(cells);
      }
      // A stale index (built before the last impressions) gives other numbers: the check can fail.
      const stale = createLogIndex(U, K);
      indexLogInto(log, stale);
      for (let i = 0; i < U; i += 2) logImpressions(log, i, 3, rng);
      const c = cloneRewardModel(a);
      const d = cloneRewardModel(a);
      trainRewardModel(c, fa.slice(), log, all);
      trainRewardModel(d, fa.slice(), log, all, undefined, stale);
      expect(bytes(d.q)).not.toBe(bytes(c.q));
    });
  }
});
