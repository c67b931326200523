/**
 * Property: any interleaving of decides, rewards, duplicate rewards and decide retries across two replicas on one
 * store (a real Redis) ends, on both replicas, in the state that folding the unique rewards gives; and a replay of
 * the log from scratch reproduces it exactly.
 */

import { describe, expect } from 'vitest';
import { agentStateToJson, normalizeAgentConfig } from '../../src/bandits/agent/index.js';
import { createAgentService, replayFromLog } from '../../src/serve/agent-service.js';
import { createRedisStore } from '../../src/store/redis/index.js';
import { fc, test } from '../helpers/fast-check.js';

const ARMS = ['a', 'b', 'c'];
type Op =
  | { kind: 'decide'; replica: 0 | 1; event: number }
  | { kind: 'reward'; replica: 0 | 1; event: number; value: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('decide' as const),
    replica: fc.constantFrom(0 as const, 1 as const),
    event: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('reward' as const),
    replica: fc.constantFrom(0 as const, 1 as const),
    event: fc.integer({ min: 0, max: 7 }),
    value: fc.constantFrom(0, 0.25, 1),
  }),
);

let run = 0;

describe('two replicas on one Redis', () => {
  test.prop([fc.array(op, { minLength: 1, maxLength: 40 }), fc.boolean()], { numRuns: 25, seed: 20261201 })(
    'end in the state of the unique rewards, and a replay reproduces it',
    async (ops, concurrent) => {
      const prefix = `allot-prop-${process.pid}-${Date.now()}-${run++}`;
      const s0 = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      const s1 = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      const replicas = [
        createAgentService({ store: s0, snapshotEvery: 5 }),
        createAgentService({ store: s1, snapshotEvery: 7 }),
      ];
      try {
        const id = 'default/p';
        await replicas[0]!.putAgent(id, { policy: { type: 'ucb1' }, arms: ARMS, seed: 5 });
        const decided = new Map<number, string>();
        const firstReward = new Map<number, number>();
        const apply = async (o: Op): Promise<void> => {
          const svc = replicas[o.replica]!;
          if (o.kind === 'decide') {
            const d = await svc.decide(id, { eventId: `e${o.event}` });
            const prior = decided.get(o.event);
            // A retry with the same event id returns the stored decision, whichever replica made it.
            if (prior !== undefined) expect(d.actions[0]).toBe(prior);
            else decided.set(o.event, d.actions[0]!);
            return;
          }
          try {
            const r = await svc.reward(id, { eventId: `e${o.event}`, reward: o.value });
            expect(r.duplicate).toBe(firstReward.has(o.event));
            if (!r.duplicate) firstReward.set(o.event, o.value);
          } catch (e) {
            expect((e as { code?: string }).code).toBe('ALLOT_UNKNOWN_EVENT');
            expect(decided.has(o.event)).toBe(false);
          }
        };
        if (concurrent) {
          // Decides and rewards of one event keep their order; different events race.
          const byEvent = new Map<number, Op[]>();
          for (const o of ops) byEvent.set(o.event, [...(byEvent.get(o.event) ?? []), o]);
          await Promise.all(
            [...byEvent.values()].map(async (seq) => {
              for (const o of seq) await apply(o);
            }),
          );
        } else {
          for (const o of ops) await apply(o);
        }
        const counts = [0, 0, 0];
        const sums = [0, 0, 0];
        for (const [ev, v] of firstReward) {
          const a = ARMS.indexOf(decided.get(ev)!);
          counts[a]! += 1;
          sums[a]! += v;
        }
        const states = await Promise.all(replicas.map((r) => r.state(id)));
        for (const st of states) {
          expect(st['counts']).toEqual(counts);
          expect(st['sums']).toEqual(sums);
          expect(st['rewards']).toBe(firstReward.size);
          expect(st['decisions']).toBe(decided.size);
        }
        expect(JSON.stringify(states[0])).toBe(JSON.stringify(states[1]));
        const config = normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ARMS, seed: 5 });
        const replay = await replayFromLog(s0, id, config);
        expect(JSON.stringify(agentStateToJson(replay.rt))).toBe(JSON.stringify(states[0]));
        await s0.deleteAgent(id);
      } finally {
        await s0.close();
        await s1.close();
      }
    },
  );
});
