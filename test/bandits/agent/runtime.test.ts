/** The served agents' decisions: propensities equal the policy's own action distribution; replayable by event id. */

import { describe, expect, it } from 'vitest';
import {
  agentProbabilities,
  createAgentRuntime,
  decideAgent,
  eventRng,
  foldDecision,
  foldReward,
  normalizeAgentConfig,
} from '../../../src/bandits/agent/index.js';
import { createRng } from '../../../src/core/rng.js';
import { fc, test } from '../../helpers/fast-check.js';

const ARMS = ['a', 'b', 'c', 'd', 'e'];
const feats = Object.fromEntries(
  ARMS.map((a, i) => [a, { features: [1, (i % 3) / 2], predictions: [i % 2, 0.5] }]),
);
const POLICIES: Array<[Record<string, unknown>, Record<string, unknown>]> = [
  [{ type: 'ucb1' }, {}],
  [{ type: 'epsilon-greedy', epsilon: 0.3 }, {}],
  [{ type: 'epsilon-greedy', epsilon: 0.3 }, { slots: 3 }],
  [
    { type: 'multitask-ucb', alpha: [1, 0.2], gamma: 0.5 },
    { user: 'u', context: { actions: feats } },
  ],
  [
    { type: 'linucb', d: 2 },
    { slots: 2, context: { actions: feats } },
  ],
  [{ type: 'pbm-rank', d: 2, positions: 3 }, { context: { actions: feats } }],
];

describe('agent decisions', () => {
  test.prop(
    [
      fc.integer({ min: 0, max: POLICIES.length - 1 }),
      fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 30 }),
      fc.nat(),
    ],
    {
      numRuns: 60,
      seed: 7,
    },
  )('log the exact probability the policy gives the chosen action in its slot', (pi, rewards, salt) => {
    const [policy, req] = POLICIES[pi]!;
    const rt = createAgentRuntime(normalizeAgentConfig({ policy, arms: ARMS, seed: 3 }));
    // Learn from a few seeded rounds so that scores differ (and some tie).
    rewards.forEach((r, t) => {
      const d = decideAgent(rt, req, eventRng(3, `warm-${t}`));
      const logged = {
        eventId: `warm-${t}`,
        user: (req['user'] as string) ?? null,
        actions: d.actions.map((a) => ARMS[a]!),
        context: (req['context'] as never) ?? null,
      };
      foldDecision(rt, logged);
      foldReward(rt, logged, { eventId: `warm-${t}`, reward: d.actions.map(() => r), applied: true });
    });
    const eventId = `e-${salt}`;
    const d = decideAgent(rt, req, eventRng(3, eventId));
    const again = decideAgent(rt, req, eventRng(3, eventId));
    expect(again).toEqual(d);
    const dist = agentProbabilities(
      rt,
      { candidates: ARMS, slots: d.actions.length, ...(req as object) },
      createRng(1),
      1,
    );
    d.actions.forEach((a, s) => {
      expect(d.propensities[s]).toBeGreaterThan(0);
      expect(d.propensities[s]).toBeLessThanOrEqual(1);
      expect(d.propensities[s]).toBeCloseTo(dist[s]![a]!, 14);
    });
    for (const row of dist) expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it('breaks ties uniformly: with no data every arm is chosen first about equally often', () => {
    const rt = createAgentRuntime(normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ARMS, seed: 1 }));
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 5000; i++) counts[decideAgent(rt, {}, eventRng(1, `e${i}`)).actions[0]!]! += 1;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120); // ~4.2 sd of Binomial(5000, 0.2)
  });

  it('breaks ties uniformly within a slate: every ordered pair of two slots about equally often', () => {
    const rt = createAgentRuntime(normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ARMS, seed: 2 }));
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const d = decideAgent(rt, { slots: 2 }, eventRng(2, `e${i}`));
      expect(d.propensities).toEqual([0.2, 0.2]); // marginal probability of the arm in its slot
      const k = d.actions.join(',');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(20);
    for (const c of counts.values()) expect(Math.abs(c - 500)).toBeLessThan(95); // ~4.4 sd of Binomial(10000, 1/20)
  });

  it('ranks a strictly better arm first and breaks the remaining tie among the others', () => {
    const rt = createAgentRuntime(normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ARMS, seed: 3 }));
    // Every arm played once; only 'c' was rewarded: 'c' first, then one of the other four (a four-way tie).
    for (let a = 0; a < ARMS.length; a++) {
      const d = { eventId: `p${a}`, actions: [ARMS[a]!] };
      foldDecision(rt, d);
      foldReward(rt, d, { eventId: d.eventId, reward: [a === 2 ? 1 : 0], applied: true });
    }
    const second = [0, 0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const d = decideAgent(rt, { slots: 2 }, eventRng(3, `e${i}`));
      expect(d.actions[0]).toBe(2);
      second[d.actions[1]!]! += 1;
    }
    expect(second[2]).toBe(0);
    for (const a of [0, 1, 3, 4]) expect(Math.abs(second[a]! - 1000)).toBeLessThan(120);
  });
});
