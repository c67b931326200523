/**
 * Bad input to the Personalizer-compatible routes gets Personalizer's 4xx error shape and changes nothing; keys are
 * checked like bearer tokens with `--auth`, and each key reaches the loop its token entry names.
 */
import { PersonalizerClient } from '@azure/cognitiveservices-personalizer';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, registerServePlugin } from '../../src/serve/app.js';
import { configurePersonalizer, personalizerPlugin } from '../../src/serve/personalizer/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/store.js';

registerServePlugin(personalizerPlugin);

type App = Awaited<ReturnType<typeof createApp>>;
let store: Store;
let app: App;

const KEY_A = 'key-of-tenant-a-0123456789';
const KEY_B = 'key-of-tenant-b-0123456789';

beforeEach(async () => {
  store = createMemoryStore();
  app = await createApp({
    store,
    pollMs: 0,
    sweepMs: 0,
    web: false,
    auth: [
      { token: KEY_A, tenant: 'a', personalizer: 'shop' },
      { token: KEY_B, tenant: 'b' },
    ],
  });
  configurePersonalizer(app, { loop: 'fallback', sweep: false });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const headers = { 'ocp-apim-subscription-key': KEY_A };
const call = (method: 'POST' | 'PUT' | 'GET', path: string, payload?: unknown, h = headers) =>
  app.inject({
    method,
    url: `/personalizer/v1.0${path}`,
    headers: h,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const actions = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `a${i}`, features: [{ k: i }] }));

/** Everything the loop holds: its state, its log and its configuration. */
const snapshot = async (): Promise<string> => {
  const h = { authorization: `Bearer ${KEY_A}` };
  const state = (await app.inject({ method: 'GET', url: '/v1/agents/shop/state', headers: h })).body;
  const events = (await app.inject({ method: 'GET', url: '/v1/agents/shop/events?limit=1000', headers: h }))
    .body;
  const cfg = (await call('GET', '/configurations/service')).body;
  return `${state}\n${events}\n${cfg}`;
};

describe('Personalizer compat: bad input and keys', () => {
  it('answers bad input with Personalizer 4xx errors and changes nothing', async () => {
    const ok = await call('POST', '/rank', {
      contextFeatures: [{ u: 'x' }],
      actions: actions(3),
      eventId: 'e1',
    });
    expect(ok.statusCode).toBe(201);
    const before = await snapshot();
    const cases: Array<[string, 'POST' | 'PUT', string, unknown, number, string]> = [
      [
        'more than 50 actions',
        'POST',
        '/rank',
        { contextFeatures: [], actions: actions(51) },
        400,
        'InvalidRankRequest',
      ],
      [
        'duplicate action ids',
        'POST',
        '/rank',
        {
          actions: [
            { id: 'x', features: [] },
            { id: 'x', features: [] },
          ],
        },
        400,
        'InvalidRankRequest',
      ],
      ['no actions', 'POST', '/rank', { contextFeatures: [] }, 400, 'InvalidRankRequest'],
      [
        'too many interactions',
        'POST',
        '/rank',
        {
          contextFeatures: [Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, i + 1]))],
          actions: [
            { id: 'x', features: [Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`a${i}`, 1]))] },
          ],
        },
        400,
        'InvalidRankRequest',
      ],
      [
        'features not objects',
        'POST',
        '/rank',
        { contextFeatures: [1, 2], actions: actions(2) },
        400,
        'InvalidRankRequest',
      ],
      [
        'features not a list',
        'POST',
        '/rank',
        { contextFeatures: { a: 1 }, actions: actions(2) },
        400,
        'InvalidRankRequest',
      ],
      [
        'action features nested too deep',
        'POST',
        '/rank',
        {
          actions: [
            { id: 'x', features: [{ a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }] },
          ],
        },
        400,
        'InvalidRankRequest',
      ],
      [
        'every action excluded',
        'POST',
        '/rank',
        { actions: actions(2), excludedActions: ['a0', 'a1'] },
        400,
        'InvalidRankRequest',
      ],
      [
        'unknown excluded action',
        'POST',
        '/rank',
        { actions: actions(2), excludedActions: ['zz'] },
        400,
        'InvalidRankRequest',
      ],
      [
        'eventId too long',
        'POST',
        '/rank',
        { actions: actions(2), eventId: 'x'.repeat(257) },
        400,
        'InvalidRankRequest',
      ],
      [
        'unknown field',
        'POST',
        '/rank',
        { actions: actions(2), contextFeaturez: [] },
        400,
        'InvalidRankRequest',
      ],
      ['malformed JSON', 'POST', '/rank', '{"actions": [', 400, 'InvalidRankRequest'],
      ['unknown event', 'POST', '/events/nope/reward', { value: 1 }, 404, 'ResourceNotFound'],
      ['reward above 1', 'POST', '/events/e1/reward', { value: 2 }, 400, 'InvalidRewardRequest'],
      ['reward below -1', 'POST', '/events/e1/reward', { value: -1.5 }, 400, 'InvalidRewardRequest'],
      ['reward as a string', 'POST', '/events/e1/reward', { value: '1' }, 400, 'InvalidRewardRequest'],
      ['reward missing', 'POST', '/events/e1/reward', {}, 400, 'InvalidRewardRequest'],
      ['activate unknown event', 'POST', '/events/nope/activate', undefined, 404, 'ResourceNotFound'],
      [
        'exploration above 1',
        'PUT',
        '/configurations/service',
        { explorationPercentage: 20 },
        400,
        'InvalidServiceConfiguration',
      ],
      [
        'wait time not ISO 8601',
        'PUT',
        '/configurations/service',
        { rewardWaitTime: '10 minutes' },
        400,
        'InvalidRewardWaitTime',
      ],
      [
        'unknown aggregation',
        'PUT',
        '/configurations/service',
        { rewardAggregation: 'max' },
        400,
        'InvalidServiceConfiguration',
      ],
      [
        'unknown learning mode',
        'PUT',
        '/configurations/service',
        { learningMode: 'Offline' },
        400,
        'InvalidLearningModeServiceConfiguration',
      ],
    ];
    for (const [name, method, path, body, status, code] of cases) {
      const r =
        typeof body === 'string'
          ? await app.inject({
              method,
              url: `/personalizer/v1.0${path}`,
              headers: { ...headers, 'content-type': 'application/json' },
              payload: body,
            })
          : await call(method, path, body);
      expect(r.statusCode, name).toBe(status);
      const e = r.json() as { error: { code: string; message: string } };
      expect(e.error.code, name).toBe(code);
      expect(e.error.message.length, name).toBeGreaterThan(0);
    }
    const slots = await app.inject({
      method: 'POST',
      url: '/personalizer/v1.1-preview.3/multislot/rank',
      headers,
      payload: { actions: actions(2), slots: [{ id: 's', baselineAction: 'zz' }] },
    });
    expect(slots.statusCode).toBe(400);
    expect(slots.json().error.code).toBe('InvalidRankRequest');
    expect(await snapshot()).toBe(before);
    // The official client surfaces the same error (its RestError carries Personalizer's code).
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const client = new PersonalizerClient(
      new ApiKeyCredentials({ inHeader: { 'Ocp-Apim-Subscription-Key': KEY_A } }),
      url,
    );
    const err = (await client
      .rank({ contextFeatures: [], actions: actions(51) })
      .catch((e: unknown) => e)) as {
      statusCode: number;
      code: string;
      body: { error: { code: string } };
    };
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('InvalidRankRequest');
    expect(err.body.error.code).toBe('InvalidRankRequest');
    expect(await snapshot()).toBe(before);
  });

  it('checks the key like a bearer token and reaches the loop of its token entry', async () => {
    const none = await call('POST', '/rank', { actions: actions(2) }, {} as typeof headers);
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('401');
    const bad = await call(
      'POST',
      '/rank',
      { actions: actions(2) },
      { 'ocp-apim-subscription-key': 'x'.repeat(20) },
    );
    expect(bad.statusCode).toBe(401);
    const a = await call('POST', '/rank', { actions: actions(2), eventId: 'ea' });
    expect(a.statusCode).toBe(201);
    // Tenant a's key reached a/shop; tenant b's key (no loop in its entry) reaches b/fallback.
    const b = await call(
      'POST',
      '/rank',
      { actions: actions(2), eventId: 'eb' },
      { 'ocp-apim-subscription-key': KEY_B },
    );
    expect(b.statusCode).toBe(201);
    expect(await store.getDecision('a/shop', 'ea')).not.toBeNull();
    expect(await store.getDecision('b/fallback', 'eb')).not.toBeNull();
    // b cannot reward a's event.
    const cross = await call(
      'POST',
      '/events/ea/reward',
      { value: 1 },
      { 'ocp-apim-subscription-key': KEY_B },
    );
    expect(cross.statusCode).toBe(404);
    // The compat path names the loop inside the key's tenant.
    const compat = await app.inject({
      method: 'POST',
      url: '/compat/other/personalizer/v1.0/rank',
      headers,
      payload: { actions: actions(2), eventId: 'ec' },
    });
    expect(compat.statusCode).toBe(201);
    expect(await store.getDecision('a/other', 'ec')).not.toBeNull();
  });
});
