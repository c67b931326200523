/**
 * The Personalizer-compatible surface with the two official JavaScript clients, unchanged, against a listening
 * local server: v1.0 (`@azure/cognitiveservices-personalizer`: rank, reward, activate) and v1.1-preview.3
 * (`@azure-rest/ai-personalizer`: multi-slot rank and reward, service configuration); Personalizer's semantics
 * (deferred activation, reward wait time, default reward, aggregation, apprentice mode) and error shape.
 */
import { PersonalizerClient } from '@azure/cognitiveservices-personalizer';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import restModule, { isUnexpected, type PersonalizerClient as RestClient } from '@azure-rest/ai-personalizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, registerServePlugin } from '../../src/serve/app.js';
import { configurePersonalizer, personalizerPlugin } from '../../src/serve/personalizer/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/store.js';

type App = Awaited<ReturnType<typeof createApp>>;

registerServePlugin(personalizerPlugin);

let store: Store;
let app: App;
let url: string;
let clock = 1_700_000_000_000;
const KEY = 'any-key-without-auth';

beforeAll(async () => {
  store = createMemoryStore();
  app = await createApp({ store, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
  configurePersonalizer(app, { loop: 'news', now: () => clock, sweep: false });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

const v10 = () =>
  new PersonalizerClient(new ApiKeyCredentials({ inHeader: { 'Ocp-Apim-Subscription-Key': KEY } }), url);
// A CommonJS package: its default export is the factory under vitest and `.default` under plain Node ESM.
type CreateRest = (
  endpoint: string,
  key: { key: string },
  o: { allowInsecureConnection: boolean },
) => RestClient;
const restFactory = restModule as unknown as CreateRest | { default: CreateRest };
const createRest = typeof restFactory === 'function' ? restFactory : restFactory.default;
const rest = () => createRest(url, { key: KEY }, { allowInsecureConnection: true });

const articles = [
  { id: 'news', features: [{ topic: 'news', length: 3 }] },
  { id: 'sports', features: [{ topic: 'sports', length: 1 }] },
  { id: 'movies', features: [{ topic: { genre: 'entertainment', sub: 'movies' } }] },
];

const state = async (agent: string) =>
  (await app.inject({ method: 'GET', url: `/v1/agents/${agent}/state` })).json() as {
    rewards: number;
    decisions: number;
  };

describe('Personalizer v1.0 client', () => {
  it('ranks, rewards and activates through the unchanged official client', async () => {
    const client = v10();
    const res = await client.rank({
      contextFeatures: [{ user: { type: 'Anonymous', device: 'phone' } }, { timeOfDay: 'Morning' }],
      actions: articles,
      excludedActions: ['sports'],
      eventId: 'ev-1',
    });
    expect(res.eventId).toBe('ev-1');
    expect(res.ranking!.map((r) => r.id).sort()).toEqual(['movies', 'news']);
    expect(res.ranking![0]!.id).toBe(res.rewardActionId);
    const total = res.ranking!.reduce((s, r) => s + r.probability!, 0);
    expect(total).toBeCloseTo(1, 12);
    // An empty model ties every action: epsilon/n + (1 - epsilon)/n = 1/2 each.
    for (const r of res.ranking!) expect(r.probability).toBeCloseTo(0.5, 12);
    await client.events.reward('ev-1', { value: 1 });
    expect((await state('news')).rewards).toBe(1);
    // Retried rank with the same event id: the same answer, nothing logged twice.
    const again = await client.rank({ contextFeatures: [{ a: 1 }], actions: articles, eventId: 'ev-1' });
    expect(again.rewardActionId).toBe(res.rewardActionId);
    expect((await state('news')).decisions).toBe(1);

    const deferred = await client.rank({
      contextFeatures: [{ a: 1 }],
      actions: articles,
      deferActivation: true,
    });
    await client.events.reward(deferred.eventId!, { value: 1 });
    expect((await state('news')).rewards).toBe(1); // not activated: the reward is ignored
    await client.events.activate(deferred.eventId!);
    await client.events.reward(deferred.eventId!, { value: 0.5 });
    expect((await state('news')).rewards).toBe(2);
  });

  it('learns the default reward when the wait time ends, and not a late reward', async () => {
    const client = v10();
    const a = await client.rank({ contextFeatures: [{ a: 2 }], actions: articles });
    const b = await client.rank({ contextFeatures: [{ a: 3 }], actions: articles });
    const before = await state('news');
    clock += 10 * 60_000 + 1; // PT10M, Personalizer's default rewardWaitTime
    await client.events.reward(a.eventId!, { value: 1 }); // late: the event gets its default reward instead
    expect(await app.personalizer.loops.sweep()).toBe(1); // b gets its default reward
    const after = await state('news');
    expect(after.rewards).toBe(before.rewards + 2);
    const events = (await app.inject({ method: 'GET', url: '/v1/agents/news/events?limit=100' })).json() as {
      events: Array<{ eventId: string; reward: number[]; defaultReward: boolean }>;
    };
    for (const id of [a.eventId, b.eventId]) {
      const row = events.events.find((e) => e.eventId === id)!;
      expect(row.reward).toEqual([0]);
      expect(row.defaultReward).toBe(true);
    }
  });
});

describe('Personalizer semantics', () => {
  const events = async () =>
    (
      (await app.inject({ method: 'GET', url: '/v1/agents/news/events?limit=1000' })).json() as {
        events: Array<{ eventId: string; reward: number[] | null; defaultReward: boolean | null }>;
      }
    ).events;
  const setConfig = async (body: object) => {
    const cur = (
      await app.inject({ method: 'GET', url: '/personalizer/v1.0/configurations/service' })
    ).json();
    const r = await app.inject({
      method: 'PUT',
      url: '/personalizer/v1.0/configurations/service',
      payload: { ...cur, ...body },
    });
    expect(r.statusCode).toBe(200);
  };

  it('averages the rewards of the wait time with rewardAggregation average', async () => {
    await setConfig({ rewardAggregation: 'average' });
    const client = v10();
    const r = await client.rank({ contextFeatures: [{ a: 9 }], actions: articles, eventId: 'avg-1' });
    const before = (await state('news')).rewards;
    await client.events.reward(r.eventId!, { value: 1 });
    await client.events.reward(r.eventId!, { value: 0 });
    expect((await state('news')).rewards).toBe(before); // learned when the wait time ends
    clock += 10 * 60_000 + 1;
    expect(await app.personalizer.loops.sweep()).toBeGreaterThanOrEqual(1);
    expect((await state('news')).rewards).toBe(before + 1);
    const row = (await events()).find((e) => e.eventId === 'avg-1')!;
    expect(row.reward).toEqual([0.5]);
    expect(row.defaultReward).toBe(false);
    await setConfig({ rewardAggregation: 'earliest' });
  });

  it('deletes the logs and keeps the model', async () => {
    const model = async () =>
      (await app.inject({ method: 'GET', url: '/personalizer/v1.0/model' })).json() as {
        state: { n: number; b: number[] };
      };
    const before = await model();
    expect(before.state.n).toBeGreaterThan(0);
    const del = await app.inject({ method: 'DELETE', url: '/personalizer/v1.0/logs' });
    expect(del.statusCode).toBe(204);
    expect(await events()).toEqual([]);
    const after = await model();
    expect(after.state.n).toBe(before.state.n);
    expect(after.state.b).toEqual(before.state.b);
    const client = v10();
    const r = await client.rank({ contextFeatures: [{ a: 1 }], actions: articles });
    await client.events.reward(r.eventId!, { value: 1 });
    expect((await model()).state.n).toBe(before.state.n + 1);
  });
});

describe('Personalizer v1.1-preview.3 REST client', () => {
  it('reads and writes the service configuration with Personalizer defaults', async () => {
    const client = rest();
    const got = await client.path('/configurations/service').get();
    if (isUnexpected(got)) throw new Error(JSON.stringify(got.body));
    expect(got.body).toMatchObject({
      rewardWaitTime: 'PT10M',
      defaultReward: 0,
      rewardAggregation: 'earliest',
      explorationPercentage: 0.2,
      learningMode: 'Online',
    });
    const put = await client.path('/configurations/service').put({
      body: { ...got.body, rewardWaitTime: 'PT1H', explorationPercentage: 0.1 },
    });
    if (isUnexpected(put)) throw new Error(JSON.stringify(put.body));
    expect(put.body.rewardWaitTime).toBe('PT1H');
    const bad = await client
      .path('/configurations/service')
      .put({ body: { ...got.body, rewardWaitTime: 'PT1S' } });
    expect(bad.status).toBe('400');
    expect((bad.body as { error: { code: string } }).error.code).toBe('InvalidRewardWaitTime');
    const reread = await client.path('/configurations/service').get();
    expect((reread.body as { explorationPercentage: number }).explorationPercentage).toBe(0.1);
    await client.path('/configurations/service').put({ body: { ...got.body } });
  });

  it('fills slots without repeating an action and joins each slot reward', async () => {
    const client = rest();
    const actions = [...articles, { id: 'weather', features: [{ topic: 'weather' }] }];
    const res = await client.path('/multislot/rank').post({
      body: {
        contextFeatures: [{ user: { type: 'Member' } }],
        actions,
        slots: [
          { id: 'hero', features: [{ size: 'large' }], baselineAction: 'news' },
          {
            id: 'side',
            features: [{ size: 'small' }],
            baselineAction: 'sports',
            excludedActions: ['movies'],
          },
        ],
        eventId: 'ms-1',
      },
    });
    if (isUnexpected(res)) throw new Error(JSON.stringify(res.body));
    expect(res.status).toBe('201');
    expect(res.body.eventId).toBe('ms-1');
    const ids = res.body.slots.map((s) => s.rewardActionId);
    expect(res.body.slots.map((s) => s.id)).toEqual(['hero', 'side']);
    expect(new Set(ids).size).toBe(2);
    expect(ids[1]).not.toBe('movies');
    const before = (await state('news')).rewards;
    const r1 = await client
      .path('/multislot/events/{eventId}/reward', 'ms-1')
      .post({ body: { reward: [{ slotId: 'hero', value: 1 }] } });
    expect(r1.status).toBe('204');
    expect((await state('news')).rewards).toBe(before); // waits for the other slot
    const r2 = await client
      .path('/multislot/events/{eventId}/reward', 'ms-1')
      .post({ body: { reward: [{ slotId: 'side', value: 0 }] } });
    expect(r2.status).toBe('204');
    expect((await state('news')).rewards).toBe(before + 1);
    const act = await client.path('/multislot/events/{eventId}/activate', 'ms-1').post();
    expect(act.status).toBe('204');
  });
  it('evaluates candidate policies offline on the loop log (Online = the logged mean reward)', async () => {
    const client = rest();
    const res = await client.path('/evaluations').post({
      body: {
        name: 'eps',
        startTime: new Date(clock - 86_400_000).toISOString(),
        endTime: new Date(clock + 86_400_000).toISOString(),
        policies: [{ name: 'greedy', arguments: '--cb_explore_adf --epsilon 0' }],
      },
    });
    if (isUnexpected(res)) throw new Error(JSON.stringify(res.body));
    expect(res.status).toBe('201');
    const results = res.body.policyResults!;
    expect(results.map((r) => r.policySource)).toEqual(['Online', 'Baseline', 'Random', 'Custom']);
    // The logged single-slot rewards of this loop so far.
    const events = (await app.inject({ method: 'GET', url: '/v1/agents/news/events?limit=1000' })).json() as {
      events: Array<{ reward: number[] | null; applied: boolean | null; actions: string[] }>;
    };
    const logged = events.events.filter((e) => e.reward !== null && e.applied && e.actions.length === 1);
    const mean = logged.reduce((s, e) => s + e.reward![0]!, 0) / logged.length;
    expect(results[0]!.totalSummary.averageReward).toBeCloseTo(mean, 12);
    const got = await client.path('/evaluations/{evaluationId}', res.body.id).get();
    expect((got.body as { id: string }).id).toBe(res.body.id);
  });
});
