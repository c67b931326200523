/** `replayFromLog` (allot agents replay, allot agents snapshot) on experiment group agents started from the pooled Phase I state. */
import { expect, it } from 'vitest';
import { agentStateToJson } from '../../src/bandits/agent/index.js';
import { replayFromLog } from '../../src/serve/agent-service.js';
import { createApp } from '../../src/serve/app.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

it('replays (allot agents replay) a group agent started from the pooled state', async () => {
  const store = createMemoryStore();
  const app = await createApp({ store, pollMs: 0, sweepMs: 0, web: false });
  const agent = (eps: number) => ({ policy: { type: 'epsilon-greedy', epsilon: eps }, arms: ['a', 'b'] });
  const r = await app.inject({
    method: 'PUT',
    url: '/v1/experiments/e1',
    payload: {
      groups: {
        production: { share: 0.5, agent: agent(0) },
        control: { share: 0.25, agent: agent(0) },
        test: { share: 0.25, agent: agent(0.3) },
      },
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  for (let i = 0; i < 30; i++) {
    const d = (
      await app.inject({ method: 'POST', url: '/v1/experiments/e1/decide', payload: { user: `u${i}` } })
    ).json();
    await app.inject({
      method: 'POST',
      url: '/v1/experiments/e1/rewards',
      payload: { eventId: d.eventId, reward: i % 2 },
    });
  }
  const p = await app.inject({
    method: 'POST',
    url: '/v1/experiments/e1/phase',
    payload: { phase: 2, start: 'pooled' },
  });
  expect(p.statusCode, p.body).toBe(200);
  for (let i = 0; i < 10; i++) {
    const d = (
      await app.inject({ method: 'POST', url: '/v1/experiments/e1/decide', payload: { user: `u${i}` } })
    ).json();
    await app.inject({
      method: 'POST',
      url: '/v1/experiments/e1/rewards',
      payload: { eventId: d.eventId, reward: 1 },
    });
  }
  const agents = await store.listAgents('default/');
  for (const a of agents) {
    const live = await app.allot.service.state(a.id);
    const rep = await replayFromLog(store, a.id, a.config);
    expect(JSON.stringify(agentStateToJson(rep.rt)), a.id).toBe(JSON.stringify(live));
  }
  await app.close();
});
