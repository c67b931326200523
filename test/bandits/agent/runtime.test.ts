/** The served agents' decisions: propensities equal the policy's own action distribution; replayable by event id. */
import { fc, test } from '@fast-check/vitest';
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
});
