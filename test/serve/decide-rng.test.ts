/**
 * The decide path's lazy per-event stream (lazyEventRng) is the stream eventRng gives: same draws from every method,
 * through forks, and the same decisions (ties, exploration, Thompson draws) bit for bit.
 */
import { describe, expect, it } from 'vitest';
import {
  createAgentRuntime,
  decideAgent,
  eventRng,
  foldDecision,
  foldReward,
  lazyEventRng,
  normalizeAgentConfig,
} from '../../src/bandits/agent/index.js';
import type { Rng } from '../../src/core/rng.js';

const draws = (r: Rng): number[] => [
  r.uint32(),
  r.uniform(),
  r.int(7),
  r.normal(1, 2),
  r.gamma(2.5, 0.5),
  r.beta(2, 3),
  ...r.fork(3).getState(),
  r.fork(0).uniform(),
  ...r.key,
  ...r.getState(),
];

describe('lazyEventRng', () => {
  it('draws what eventRng draws, directly and through forks', () => {
    for (const seed of [0, 1, 42, 2 ** 40 + 7]) {
      for (const id of ['e1', 'évènement', '', 'x'.repeat(300)]) {
        expect(draws(lazyEventRng(seed, id))).toEqual(draws(eventRng(seed, id)));
        expect(draws(lazyEventRng(seed, id).fork(0))).toEqual(draws(eventRng(seed, id).fork(0)));
        // A fork made after draws from its parent is still the fork of the key.
        const lazy = lazyEventRng(seed, id);
        lazy.uniform();
        expect(draws(lazy.fork(5))).toEqual(draws(eventRng(seed, id).fork(5)));
      }
    }
  });

  it('rejects a bad stream at fork time, as eventRng does', () => {
    expect(() => lazyEventRng(1, 'e').fork(-1)).toThrow(/stream/);
    expect(() => lazyEventRng(1, 'e').fork(0.5)).toThrow(/stream/);
  });

  it('gives the same decisions as eventRng (ties, exploration, sampled propensities)', () => {
    const arms = ['a', 'b', 'c', 'd', 'e'];
    for (const policy of [
      { type: 'ucb1' },
      { type: 'epsilon-greedy', epsilon: 0.3 },
      { type: 'thompson', propensitySamples: 50 },
    ] as const) {
      const config = normalizeAgentConfig({ policy, arms, seed: 9 });
      const lazyRt = createAgentRuntime(config);
      const eagerRt = createAgentRuntime(config);
      for (let t = 0; t < 200; t++) {
        const eventId = `e${t}`;
        const req = { slots: 2 };
        const a = decideAgent(lazyRt, req, lazyEventRng(9, eventId));
        const b = decideAgent(eagerRt, req, eventRng(9, eventId));
        expect(a).toEqual(b);
        // Learn from a reward every third event (so that ties come and go).
        for (const rt of [lazyRt, eagerRt]) {
          const d = {
            eventId,
            user: null,
            candidates: null,
            context: null,
            actions: a.actions.map((i) => arms[i]!),
          };
          foldDecision(rt, d);
          if (t % 3 === 0) foldReward(rt, d, { eventId, reward: [1, 0], cost: null, applied: true });
        }
      }
    }
  });
});
