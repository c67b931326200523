/** Every route of the decision service through Fastify inject, on a memory store. */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/serve/app.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/store.js';

type App = Awaited<ReturnType<typeof createApp>>;

let store: Store;
let app: App;
let clock = 1_000_000;

beforeEach(async () => {
  store = createMemoryStore();
  clock = 1_000_000;
  app = await createApp({ store, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const put = (id: string, body: unknown) =>
  app.inject({ method: 'PUT', url: `/v1/agents/${id}`, payload: body as object });
const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, payload: body as object });
const get = (url: string) => app.inject({ method: 'GET', url });

describe('service routes', () => {
  it('answers health, OpenAPI with every contract route, and Prometheus metrics', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    const doc = (await get('/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    for (const r of [
      'GET /healthz',
      'GET /metrics',
      'PUT /v1/agents/{agentId}',
      'GET /v1/agents/{agentId}',
      'DELETE /v1/agents/{agentId}',
      'POST /v1/agents/{agentId}/decide',
      'POST /v1/agents/{agentId}/rewards',
      'GET /v1/agents/{agentId}/state',
      'GET /v1/agents/{agentId}/events',
    ]) {
      expect(routes).toContain(r);
    }
    const decide = doc.paths['/v1/agents/{agentId}/decide']!['post'] as { requestBody: unknown };
    expect(JSON.stringify(decide.requestBody)).toContain('candidates');
    await put('m', { policy: { type: 'ucb1' }, arms: ['a', 'b'] });
    await post('/v1/agents/m/decide', {});
    const metrics = await get('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('allot_decisions_total{agent="default/m"} 1');
    expect(metrics.body).toContain('allot_replica_lag_entries');
  });

  it('creates an agent (201), confirms the same config (200), refuses another (409), deletes (204)', async () => {
    const body = { policy: { type: 'ucb1' }, arms: ['a', 'b', 'c'], seed: 4 };
    const r1 = await put('u1', body);
    expect(r1.statusCode).toBe(201);
    expect(r1.json()).toMatchObject({
      agentId: 'u1',
      policy: { type: 'ucb1', c: 1 },
      decisions: 0,
      rewards: 0,
      version: 0,
    });
    expect((await put('u1', { ...body, policy: { type: 'ucb1', c: 1 } })).statusCode).toBe(200);
    const r3 = await put('u1', { ...body, seed: 5 });
    expect(r3.statusCode).toBe(409);
    expect(r3.json().error.code).toBe('ALLOT_CONFLICT');
    expect((await get('/v1/agents/u1')).json()).toMatchObject({
      agentId: 'u1',
      decisions: 0,
      rewards: 0,
      version: 0,
    });
    expect((await get('/v1/agents')).json().agents.map((a: { agentId: string }) => a.agentId)).toEqual([
      'u1',
    ]);
    expect((await app.inject({ method: 'DELETE', url: '/v1/agents/u1' })).statusCode).toBe(204);
    expect((await get('/v1/agents/u1')).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/v1/agents/u1' })).json().error.code).toBe(
      'ALLOT_UNKNOWN_AGENT',
    );
  });

  it('decides, joins rewards by event id (duplicates change nothing), and reports state and events', async () => {
    await put('b', { policy: { type: 'epsilon-greedy', epsilon: 0.2 }, arms: ['a', 'b', 'c', 'd'], seed: 9 });
    const d = (await post('/v1/agents/b/decide', { eventId: 'ev-1' })).json();
    expect(d.eventId).toBe('ev-1');
    expect(d.actions).toHaveLength(1);
    // Nothing learned yet: all four arms tie, so the chosen one has probability 0.2/4 + 0.8/4 = 0.25 exactly.
    expect(d.propensities).toEqual([0.25]);
    expect(d.version).toBe(0);
    const retry = (await post('/v1/agents/b/decide', { eventId: 'ev-1' })).json();
    expect(retry).toEqual(d);
    const r = await post('/v1/agents/b/rewards', { eventId: 'ev-1', reward: 1 });
    expect(r.json()).toEqual({ eventId: 'ev-1', applied: true, duplicate: false });
    const before = (await get('/v1/agents/b/state')).body;
    expect((await post('/v1/agents/b/rewards', { eventId: 'ev-1', reward: 0 })).json()).toEqual({
      eventId: 'ev-1',
      applied: false,
      duplicate: true,
    });
    expect((await get('/v1/agents/b/state')).body).toBe(before);
    const state = JSON.parse(before);
    expect(state.rewards).toBe(1);
    expect(state.counts.reduce((s: number, x: number) => s + x, 0)).toBe(1);
    const unknown = await post('/v1/agents/b/rewards', { eventId: 'nope', reward: 1 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('ALLOT_UNKNOWN_EVENT');
    // The greedy arm now has mean 1: it is chosen with 0.8 + 0.2/4.
    const d2 = (await post('/v1/agents/b/decide', { eventId: 'ev-2' })).json();
    expect(d2.version).toBe(1);
    if (d2.actions[0] === d.actions[0]) expect(d2.propensities[0]).toBeCloseTo(0.85, 12);
    const ev = (await get('/v1/agents/b/events?limit=1')).json();
    expect(ev.events).toHaveLength(1);
    expect(ev.events[0]).toMatchObject({
      eventId: 'ev-1',
      actions: d.actions,
      propensities: [0.25],
      reward: [1],
      applied: true,
    });
    expect(ev.next).not.toBeNull();
    const ev2 = (await get(`/v1/agents/b/events?after=${ev.next}&limit=10`)).json();
    expect(ev2.events.map((e: { eventId: string }) => e.eventId)).toEqual(['ev-2']);
    expect(ev2.next).toBeNull();
    const stats = (await get('/v1/agents/b/stats?buckets=5')).json();
    expect(stats.timeline[0]).toMatchObject({ decisions: 2, rewards: 1, rewardSum: 1 });
  });

  it('logs a late reward without learning it, and learns the default reward when the window closes', async () => {
    await put('w', {
      policy: { type: 'ucb1' },
      arms: ['a', 'b'],
      rewardWindowSeconds: 10,
      defaultReward: 0.5,
    });
    const d1 = (await post('/v1/agents/w/decide', { eventId: 'late' })).json();
    const d2 = (await post('/v1/agents/w/decide', { eventId: 'silent' })).json();
    clock += 11_000;
    expect((await post('/v1/agents/w/rewards', { eventId: 'late', reward: 1 })).json()).toEqual({
      eventId: 'late',
      applied: false,
      duplicate: false,
    });
    expect((await get('/v1/agents/w/state')).json().rewards).toBe(0);
    expect(await app.allot.service.sweepDefaults()).toBe(1);
    const st = (await get('/v1/agents/w/state')).json();
    expect(st.rewards).toBe(1);
    expect(st.sums.reduce((s: number, x: number) => s + x, 0)).toBe(0.5);
    expect(d1.eventId).toBe('late');
    const ev = (await get('/v1/agents/w/events')).json().events;
    expect(ev.find((e: { eventId: string }) => e.eventId === d2.eventId)).toMatchObject({
      reward: [0.5],
      defaultReward: true,
    });
    expect(await app.allot.service.sweepDefaults()).toBe(0);
  });

  it('ranks a slate for pbm-rank and takes one click per slot', async () => {
    const arms = ['i0', 'i1', 'i2', 'i3'];
    await put('r', { policy: { type: 'pbm-rank', d: 2, positions: 2 }, arms });
    const actions = Object.fromEntries(arms.map((a, i) => [a, { features: [1, i / 4] }]));
    const d = (await post('/v1/agents/r/decide', { context: { actions } })).json();
    expect(d.actions).toHaveLength(2);
    expect(new Set(d.actions).size).toBe(2);
    expect(d.propensities.every((p: number) => p > 0 && p <= 1)).toBe(true);
    const bad = await post('/v1/agents/r/rewards', { eventId: d.eventId, reward: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('ALLOT_SHAPE_MISMATCH');
    expect((await post('/v1/agents/r/rewards', { eventId: d.eventId, reward: [1, 0] })).json().applied).toBe(
      true,
    );
    const st = (await get('/v1/agents/r/state')).json();
    expect(st.impressions).toEqual([1, 1]);
    expect(st.clicks).toEqual([1, 0]);
    const wrongSlots = await post('/v1/agents/r/decide', { slots: 3, context: { actions } });
    expect(wrongSlots.statusCode).toBe(400);
  });

  it('answers 409 ALLOT_BUDGET_EXHAUSTED once a budgeted agent has spent its budget', async () => {
    await put('m', { policy: { type: 'mrcb', slots: 2 }, arms: ['a', 'b', 'c'], budget: 2 });
    const d = (await post('/v1/agents/m/decide', {})).json();
    expect(d.actions).toHaveLength(2);
    expect(d.propensities).toEqual([1, 1]);
    expect(
      (await post('/v1/agents/m/rewards', { eventId: d.eventId, reward: [1, 0] })).json().error.code,
    ).toBe('ALLOT_INVALID_ARGUMENT');
    expect(
      (await post('/v1/agents/m/rewards', { eventId: d.eventId, reward: [1, 0], cost: [1, 1] })).json()
        .applied,
    ).toBe(true);
    const spent = await post('/v1/agents/m/decide', {});
    expect(spent.statusCode).toBe(409);
    expect(spent.json().error.code).toBe('ALLOT_BUDGET_EXHAUSTED');
    expect((await get('/v1/agents/m')).json()).toMatchObject({ budget: 2, spent: 2 });
  });

  it('serves every policy type with propensities in (0, 1]', async () => {
    const arms = ['a', 'b', 'c'];
    const feats = Object.fromEntries(
      arms.map((a, i) => [a, { features: [1, i], predictions: [0.1 * i, 0.5] }]),
    );
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, unknown, unknown?]> = [
      [{ type: 'ucb1' }, {}, 1],
      [{ type: 'thompson', propensitySamples: 50 }, {}, 1],
      [{ type: 'thompson', likelihood: 'gaussian', propensitySamples: 50 }, {}, 2.5],
      [{ type: 'epsilon-greedy' }, { slots: 2 }, [1, 0]],
      [
        { type: 'multitask-ucb', alpha: [1, 0.5], gamma: 0.1 },
        { user: 'u1', context: { actions: feats } },
        1,
      ],
      [{ type: 'linucb', d: 2 }, { context: { actions: feats } }, 0.3],
      [{ type: 'lints', d: 2, propensitySamples: 50 }, { context: { actions: feats } }, 0.3],
      [{ type: 'linucb', d: 6 }, { context: { features: [1, 0.5] } }, 1],
      [
        { type: 'pbm-rank', algorithm: 'lints', d: 2, positions: 2, propensitySamples: 50 },
        { context: { actions: feats } },
        [0, 1],
      ],
      [{ type: 'bts', slots: 1, propensitySamples: 50 }, {}, 1, 0.5],
      [{ type: 'kube', slots: 2 }, {}, [1, 0], [0.2, 0.2]],
    ];
    for (const [i, [policy, req, rew, cost]] of cases.entries()) {
      const id = `p${i}`;
      const created = await put(id, {
        policy,
        arms,
        ...(['bts', 'kube'].includes(policy['type'] as string) ? { budget: 100 } : {}),
      });
      expect(created.statusCode, JSON.stringify(created.json())).toBe(201);
      const d = await post(`/v1/agents/${id}/decide`, req);
      expect(d.statusCode, `${policy['type']}: ${d.body}`).toBe(200);
      const body = d.json();
      for (const p of body.propensities) expect(p > 0 && p <= 1, `${policy['type']} ${p}`).toBe(true);
      const r = await post(`/v1/agents/${id}/rewards`, {
        eventId: body.eventId,
        reward: rew,
        ...(cost === undefined ? {} : { cost }),
      });
      expect(r.json(), `${policy['type']}`).toMatchObject({ applied: true });
      expect((await get(`/v1/agents/${id}/state`)).json().rewards).toBe(1);
    }
    const multi = (await get('/v1/agents/p4/state')).json();
    expect(Object.keys(multi.users)).toEqual(['u1']);
  });

  it('exports a snapshot that restores the same state', async () => {
    await put('s', { policy: { type: 'ucb1' }, arms: ['a', 'b'] });
    for (let i = 0; i < 5; i++) {
      const d = (await post('/v1/agents/s/decide', {})).json();
      await post('/v1/agents/s/rewards', { eventId: d.eventId, reward: i % 2 });
    }
    const snap = (await get('/v1/agents/s/snapshot')).json();
    expect(snap.agentId).toBe('s');
    expect(snap.state).toEqual((await get('/v1/agents/s/state')).json());
    const { agentFromSnapshot, agentStateToJson } = await import('../../src/bandits/agent/index.js');
    expect(agentStateToJson(agentFromSnapshot(snap))).toEqual(snap.state);
  });

  it('answers bad input with 4xx and an error code, never 5xx', async () => {
    await put('x', { policy: { type: 'ucb1' }, arms: ['a', 'b'] });
    const cases: Array<
      [
        string,
        string,
        string | object | undefined,
        (Record<string, string> | undefined)?,
        (number | undefined)?,
      ]
    > = [
      ['POST', '/v1/agents/x/decide', '{bad json', { 'content-type': 'application/json' }],
      ['POST', '/v1/agents/x/decide', { slots: 'NaN' }],
      ['POST', '/v1/agents/x/decide', { slots: 3 }],
      ['POST', '/v1/agents/x/decide', { candidates: ['zz'] }],
      ['POST', '/v1/agents/x/decide', { candidates: ['a', 'a'] }],
      ['POST', '/v1/agents/x/decide', { extra: 1 }],
      ['POST', '/v1/agents/x/decide', 'plain', { 'content-type': 'text/plain' }, 415],
      ['POST', '/v1/agents/x/rewards', { eventId: 'e', reward: 'NaN' }],
      ['POST', '/v1/agents/x/rewards', { reward: 1 }],
      ['POST', '/v1/agents/nope/decide', {}, undefined, 404],
      ['PUT', '/v1/agents/bad%20id', { policy: { type: 'ucb1' }, arms: ['a'] }],
      ['PUT', '/v1/agents/y', { policy: { type: 'nope' }, arms: ['a'] }],
      ['PUT', '/v1/agents/y', { policy: { type: 'ucb1', c: -1 }, arms: ['a'] }],
      ['PUT', '/v1/agents/y', { policy: { type: 'ucb1', zeta: 1 }, arms: ['a'] }],
      ['PUT', '/v1/agents/y', { policy: { type: 'ucb1' }, arms: ['a', 'a'] }],
      ['PUT', '/v1/agents/y', { policy: { type: 'mrcb' }, arms: ['a'] }],
      ['PUT', '/v1/agents/y', { policy: { type: 'ucb1' }, arms: ['a'], budget: 5 }],
      ['GET', '/v1/agents/x/events?limit=0', undefined],
      ['GET', '/v1/agents/x/events?after=-1', undefined],
      ['GET', '/nowhere', undefined, undefined, 404],
      [
        'POST',
        '/v1/agents/x/decide',
        `{"a":"${'x'.repeat(1_100_000)}"}`,
        { 'content-type': 'application/json' },
        413,
      ],
      ['POST', '/v1/agents/x/decide', '{"__proto__":{"x":1}}', { 'content-type': 'application/json' }],
    ];
    const before = (await get('/v1/agents/x/state')).body;
    for (const [method, url, payload, headers, status] of cases) {
      const r = await app.inject({
        method: method as 'POST',
        url,
        ...(payload === undefined ? {} : { payload }),
        ...(headers ? { headers } : {}),
      });
      expect(r.statusCode, `${method} ${url} ${r.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, `${method} ${url}`).toBeLessThan(500);
      if (status !== undefined) expect(r.statusCode, `${method} ${url}`).toBe(status);
      expect(r.json().error.code, `${method} ${url}`).toMatch(/^ALLOT_[A-Z_]+$/);
      expect(typeof r.json().error.message).toBe('string');
    }
    expect((await get('/v1/agents/x/state')).body).toBe(before);
  });
});

describe('auth', () => {
  it('maps tokens to tenants: no or bad token is 401, another tenant sees 404', async () => {
    const s = createMemoryStore();
    const a = await createApp({
      store: s,
      pollMs: 0,
      sweepMs: 0,
      web: false,
      auth: [
        { token: 'token-of-acme-0123456789', tenant: 'acme' },
        { token: 'token-of-beta-0123456789', tenant: 'beta' },
      ],
    });
    const h = (t: string) => ({ authorization: `Bearer ${t}` });
    const body = { policy: { type: 'ucb1' }, arms: ['a'] };
    expect((await a.inject({ method: 'PUT', url: '/v1/agents/z', payload: body })).statusCode).toBe(401);
    const bad = await a.inject({
      method: 'PUT',
      url: '/v1/agents/z',
      payload: body,
      headers: h('wrong-token-000000000'),
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('ALLOT_UNAUTHORIZED');
    expect(
      (
        await a.inject({
          method: 'PUT',
          url: '/v1/agents/z',
          payload: body,
          headers: h('token-of-acme-0123456789'),
        })
      ).statusCode,
    ).toBe(201);
    const other = await a.inject({
      method: 'GET',
      url: '/v1/agents/z',
      headers: h('token-of-beta-0123456789'),
    });
    expect(other.statusCode).toBe(404);
    expect(
      (await a.inject({ method: 'GET', url: '/v1/agents', headers: h('token-of-beta-0123456789') })).json()
        .agents,
    ).toEqual([]);
    expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await s.getAgent('acme/z'))?.id).toBe('acme/z');
    await a.close();
  });
});

describe('decide requests logged as received (SQLite)', () => {
  it('logs the request text for its context, and the log, events and replay read back the same decision', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createSqliteStore } = await import('../../src/store/sqlite/index.js');
    const { replayFromLog } = await import('../../src/serve/agent-service.js');
    const { agentStateToJson } = await import('../../src/bandits/agent/index.js');
    const path = join(mkdtempSync(join(tmpdir(), 'allot-request-json-')), 'a.db');
    const s1 = createSqliteStore({ path });
    const a1 = await createApp({ store: s1, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
    const inject = (a: App, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string) =>
      a.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
      });
    expect(
      (await inject(a1, 'PUT', '/v1/agents/lin', '{"policy":{"type":"linucb","d":3},"arms":["a","b","c"]}'))
        .statusCode,
    ).toBe(201);
    // Numbers whose shortest form differs from how they were written, whitespace, and a shared + per-action split.
    const text =
      '{ "eventId": "e1", "user": "u7", "candidates": ["c", "a"],\n  "context": {"features": [1.50, 1e-7], ' +
      '"actions": {"a": {"features": [0.30000000000000004]}, "c": {"features": [-2E3]}}} }';
    const d = await inject(a1, 'POST', '/v1/agents/lin/decide', text);
    expect(d.statusCode).toBe(200);
    await inject(a1, 'POST', '/v1/agents/lin/rewards', '{"eventId":"e1","reward":1}');
    const events = (await inject(a1, 'GET', '/v1/agents/lin/events')).json() as {
      events: Array<Record<string, unknown>>;
    };
    const sent = JSON.parse(text) as Record<string, unknown>;
    expect(events.events).toHaveLength(1);
    expect(events.events[0]).toMatchObject({
      eventId: 'e1',
      user: 'u7',
      candidates: ['c', 'a'],
      context: sent['context'] as object,
    });
    const state = (await inject(a1, 'GET', '/v1/agents/lin/state')).body;
    await a1.close();
    await s1.close();
    // The row holds the request's text verbatim.
    const db = new Database(path, { readonly: true });
    const body = (
      db.prepare("SELECT body FROM log WHERE event_id = 'e1' AND kind = 'decision'").get() as {
        body: string;
      }
    ).body;
    db.close();
    expect(body).toContain(`"request":${text}`);
    // Reopened: the same events, the same state, and a replay from the log gives it too.
    const s2 = createSqliteStore({ path });
    const a2 = await createApp({ store: s2, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
    expect((await inject(a2, 'GET', '/v1/agents/lin/events')).json()).toEqual(events);
    expect((await inject(a2, 'GET', '/v1/agents/lin/state')).body).toBe(state);
    const record = (await s2.getAgent('default/lin'))!;
    const replayed = await replayFromLog(s2, 'default/lin', record.config);
    expect(JSON.parse(JSON.stringify(agentStateToJson(replayed.rt)))).toEqual(JSON.parse(state));
    expect(replayed.rt.version).toBe(1);
    await a2.close();
    await s2.close();
  });
});
