/**
 * The service's cache of recent decisions (SQLite) keeps each decision pruned to what a retry answers and a fold
 * reads (pruneDecision). Folding rewards joined to pruned decisions gives the state that the whole decisions give,
 * for every policy whose fold reads the context; and a SQLite service learns the same state as the memory one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agentStateToJson,
  createAgentRuntime,
  decideAgent,
  eventRng,
  foldDecision,
  foldReward,
  normalizeAgentConfig,
} from '../../src/bandits/agent/index.js';
import { createRng } from '../../src/core/rng.js';
import { createAgentService, pruneDecision } from '../../src/serve/agent-service.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { type DecisionEntry, REQUEST_JSON } from '../../src/store/store.js';

const ARMS = ['a', 'b', 'c', 'd', 'e', 'f'];
const dir = mkdtempSync(join(tmpdir(), 'allot-prune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded context: shared features and per-action features and predictions. */
function context(t: number, shared: number, own: number) {
  const rng = createRng(1000 + t);
  const v = (n: number) => Array.from({ length: n }, () => Math.round(rng.uniform() * 1000) / 1000);
  return {
    ...(shared > 0 ? { features: v(shared) } : {}),
    actions: Object.fromEntries(ARMS.map((a) => [a, { features: v(own), predictions: v(2) }])),
  };
}

const POLICIES = [
  { policy: { type: 'linucb', d: 3 }, shared: 1, own: 2, slots: 1 },
  { policy: { type: 'linucb', d: 3 }, shared: 0, own: 3, slots: 2 },
  { policy: { type: 'lints', d: 3, propensitySamples: 20 }, shared: 1, own: 2, slots: 1 },
  { policy: { type: 'pbm-rank', d: 2, positions: 3 }, shared: 0, own: 2, slots: 3 },
  { policy: { type: 'multitask-ucb', alpha: [1, 0.2], gamma: 0.5 }, shared: 0, own: 2, slots: 1 },
] as const;

describe('pruneDecision', () => {
  it('keeps the chosen actions, the shared features and the reply fields; drops the request text', () => {
    const d: DecisionEntry = {
      kind: 'decision',
      eventId: 'e1',
      ts: 5,
      version: 2,
      user: 'u',
      candidates: ['a', 'c'],
      context: context(1, 2, 2),
      actions: ['c'],
      propensities: [0.5],
      group: 'g',
      [REQUEST_JSON]: '{"x":1}',
    };
    const p = pruneDecision(d);
    expect(Object.keys(p.context!.actions!)).toEqual(['c']);
    expect(p.context!.actions!['c']).toBe(d.context!.actions!['c']);
    expect(p.context!.features).toBe(d.context!.features);
    for (const k of [
      'kind',
      'eventId',
      'ts',
      'version',
      'user',
      'candidates',
      'actions',
      'propensities',
      'group',
    ])
      expect(p[k as keyof DecisionEntry], k).toEqual(d[k as keyof DecisionEntry]);
    expect(p[REQUEST_JSON]).toBeUndefined();
    // Nothing to prune: the same object.
    const bare: DecisionEntry = { ...d, context: null };
    delete (bare as { [REQUEST_JSON]?: string })[REQUEST_JSON];
    expect(pruneDecision(bare)).toBe(bare);
  });

  it('folds to the same state as the whole decision, for every policy that reads the context', () => {
    for (const { policy, shared, own, slots } of POLICIES) {
      const config = normalizeAgentConfig({ policy, arms: ARMS, seed: 4 });
      const whole = createAgentRuntime(config);
      const pruned = createAgentRuntime(config);
      const rng = createRng(77);
      for (let t = 0; t < 60; t++) {
        const req = { user: `u${t % 3}`, slots, context: context(t, shared, own) };
        const choice = decideAgent(whole, req, eventRng(4, `e${t}`));
        const d: DecisionEntry = {
          kind: 'decision',
          eventId: `e${t}`,
          ts: t,
          version: whole.version,
          user: req.user,
          candidates: null,
          context: req.context,
          actions: choice.actions.map((i) => ARMS[i]!),
          propensities: choice.propensities,
        };
        const r = {
          eventId: d.eventId,
          reward: d.actions.map(() => (rng.uniform() < 0.4 ? 1 : 0)),
          cost: null,
          applied: true,
        };
        foldDecision(whole, d);
        foldDecision(pruned, d);
        foldReward(whole, d, r);
        foldReward(pruned, pruneDecision(d), r);
      }
      expect(agentStateToJson(pruned), policy.type).toEqual(agentStateToJson(whole));
    }
  });

  it('a SQLite service (pruned cache) learns what a memory service learns', async () => {
    const stores = [createMemoryStore(), createSqliteStore({ path: join(dir, 'p.db') })];
    const states: unknown[] = [];
    for (const store of stores) {
      const svc = createAgentService({ store, now: () => 1_800_000_000_000 });
      await svc.putAgent('t/lin', { policy: { type: 'linucb', d: 3 }, arms: ARMS, seed: 2 });
      const rng = createRng(9);
      for (let t = 0; t < 200; t++) {
        const ctx = context(t, 1, 2);
        const d = await svc.decide(
          't/lin',
          { eventId: `e${t}`, context: ctx },
          { requestJson: JSON.stringify({ eventId: `e${t}`, context: ctx }) },
        );
        // Rewards for decisions a few steps back (the cache answers), and a retry that returns the stored decision.
        if (t >= 5) await svc.reward('t/lin', { eventId: `e${t - 5}`, reward: rng.uniform() < 0.5 ? 1 : 0 });
        const again = await svc.decide('t/lin', { eventId: `e${t}`, context: ctx });
        expect(again).toEqual(d);
      }
      states.push(await svc.state('t/lin'));
      await store.close();
    }
    expect(states[1]).toEqual(states[0]);
  });
});
