/** Live experiments through the HTTP API (issue 12): routes, assignment across replicas, phases, readout. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerExperiments } from '../../src/cli/commands/experiments.js';
import { createRng, type Rng } from '../../src/core/rng.js';
import type { GroupName } from '../../src/experiments/assignment.js';
import {
  type LiveEvent,
  type LiveExperimentRecord,
  liveAssignment,
  liveGroupOf,
  liveReadout,
  normalizeLiveExperiment,
} from '../../src/experiments/live-readout.js';
import { createApp } from '../../src/serve/app.js';
import { replayExperiment } from '../../src/serve/experiments.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createRedisStore } from '../../src/store/redis/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';

type App = Awaited<ReturnType<typeof createApp>>;

const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
const ARMS = ['a', 'b', 'c'];
const RATES: Record<string, number> = { a: 0.3, b: 0.5, c: 0.7 };

const agent = (epsilon: number) => ({ policy: { type: 'epsilon-greedy', epsilon }, arms: ARMS, seed: 7 });
/** Control explores uniformly 60 % of the time, test 10 %: once the greedy arm is c (rate 0.7), the expected
 * reward per decision is 0.4 * 0.7 + 0.6 * 0.5 = 0.58 in control and 0.9 * 0.7 + 0.1 * 0.5 = 0.68 in test. */
const TRUE_LIFT = 0.68 / 0.58 - 1;
const experimentBody = (shares: [number, number, number] = [0.1, 0.45, 0.45]) => ({
  groups: {
    production: { share: shares[0], agent: agent(0.1) },
    control: { share: shares[1], agent: agent(0.6) },
    test: { share: shares[2], agent: agent(0.1) },
  },
});

let store: Store;
let app: App;
let clock = T0;

beforeEach(async () => {
  store = createMemoryStore();
  clock = T0;
  app = await createApp({ store, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const call = (a: App, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, body?: unknown) =>
  a.inject({ method, url, ...(body === undefined ? {} : { payload: body as object }) });

/** Seeded users visiting for `days` days: 1 or 2 decisions a day each, Bernoulli rewards by arm. Event ids are
 * given, so the policies' randomness (from the agent seed and the event id) is reproducible too. */
async function simulate(a: App, id: string, users: number, fromDay: number, days: number, rng: Rng) {
  for (let d = fromDay; d < fromDay + days; d++) {
    let k = 0;
    for (let u = 0; u < users; u++) {
      const visits = 1 + (rng.uniform() < 0.5 ? 1 : 0);
      for (let v = 0; v < visits; v++) {
        clock = T0 + (d - 1) * DAY + 1000 * k++;
        const res = await call(a, 'POST', `/v1/experiments/${id}/decide`, {
          user: `u${u}`,
          eventId: `${id}-${d}-${u}-${v}`,
        });
        expect(res.statusCode).toBe(200);
        const dec = res.json() as { eventId: string; actions: string[] };
        const reward = rng.uniform() < RATES[dec.actions[0]!]! ? 1 : 0;
        const rr = await call(a, 'POST', `/v1/experiments/${id}/rewards`, { eventId: dec.eventId, reward });
        expect(rr.statusCode).toBe(200);
      }
    }
  }
}

function usersOf(id: string, group: GroupName, n: number): string[] {
  const a = liveAssignment(normalizeLiveExperiment(id, experimentBody()));
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (liveGroupOf(a, `u${i}`) === group) out.push(`u${i}`);
  return out;
}

describe('experiment routes', () => {
  it('creates (201), confirms the same definition (200), refuses another (409), lists and deletes', async () => {
    const r1 = await call(app, 'PUT', '/v1/experiments/e1', experimentBody());
    expect(r1.statusCode).toBe(201);
    expect(r1.json()).toMatchObject({ id: 'e1', phase: 1, salt: 'e1', pooledAgentId: 'exp.e1.pooled' });
    expect((await call(app, 'PUT', '/v1/experiments/e1', experimentBody())).statusCode).toBe(200);
    const r3 = await call(app, 'PUT', '/v1/experiments/e1', experimentBody([0.5, 0.25, 0.25]));
    expect(r3.statusCode).toBe(409);
    expect(r3.json().error.code).toBe('ALLOT_CONFLICT');
    const list = (await call(app, 'GET', '/v1/experiments')).json() as { experiments: { id: string }[] };
    expect(list.experiments.map((e) => e.id)).toEqual(['e1']);
    expect(list.experiments[0]).toMatchObject({ phase: 1 });
    expect((await call(app, 'DELETE', '/v1/experiments/e1')).statusCode).toBe(204);
    expect((await call(app, 'GET', '/v1/experiments/e1')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/v1/agents/exp.e1.pooled')).statusCode).toBe(404);
  });

  it('answers bad input with 4xx and a code', async () => {
    const bad = async (
      method: 'PUT' | 'POST' | 'GET',
      url: string,
      body: unknown,
      status: number,
      code: string,
    ) => {
      const r = await call(app, method, url, body);
      expect(r.statusCode, `${method} ${url} ${JSON.stringify(body)}`).toBe(status);
      expect(r.json().error.code).toBe(code);
    };
    const mismatched = experimentBody();
    mismatched.groups.test.agent = { ...agent(0.1), arms: ['a', 'b'] };
    await bad('PUT', '/v1/experiments/x', mismatched, 400, 'ALLOT_INVALID_CONFIG');
    await bad('PUT', '/v1/experiments/x', experimentBody([0.5, 0.5, 0.5]), 400, 'ALLOT_OUT_OF_RANGE');
    await bad('PUT', '/v1/experiments/x', { groups: { control: {} } }, 400, 'ALLOT_INVALID_CONFIG');
    await bad('PUT', '/v1/experiments/x', { nope: 1 }, 400, 'ALLOT_INVALID_ARGUMENT');
    await bad('PUT', '/v1/experiments/x:y', experimentBody(), 400, 'ALLOT_INVALID_ARGUMENT');
    await bad('POST', '/v1/experiments/none/decide', { user: 'u' }, 404, 'ALLOT_UNKNOWN_AGENT');
    await bad('GET', '/v1/experiments/none/readout', undefined, 404, 'ALLOT_UNKNOWN_AGENT');
    expect((await call(app, 'PUT', '/v1/experiments/x', experimentBody())).statusCode).toBe(201);
    await bad('POST', '/v1/experiments/x/decide', {}, 400, 'ALLOT_INVALID_ARGUMENT');
    await bad(
      'POST',
      '/v1/experiments/x/rewards',
      { eventId: 'nope', reward: 1 },
      404,
      'ALLOT_UNKNOWN_EVENT',
    );
    await bad('POST', '/v1/experiments/x/phase', { phase: 3 }, 400, 'ALLOT_INVALID_ARGUMENT');
    await bad('POST', '/v1/experiments/x/phase', { phase: 2, start: 'half' }, 400, 'ALLOT_INVALID_ARGUMENT');
    await bad('GET', '/v1/experiments/x/readout?samples=abc', undefined, 400, 'ALLOT_INVALID_ARGUMENT');
  });

  it('documents every experiment route in the OpenAPI document', async () => {
    const doc = (await call(app, 'GET', '/openapi.json')).json() as { paths: Record<string, object> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    for (const r of [
      'GET /v1/experiments',
      'PUT /v1/experiments/{id}',
      'POST /v1/experiments/{id}/decide',
      'POST /v1/experiments/{id}/rewards',
      'POST /v1/experiments/{id}/phase',
      'GET /v1/experiments/{id}/readout',
    ])
      expect(routes).toContain(r);
  });
});

describe('assignment', () => {
  it('splits 100,000 users within 1 % of the shares (the function every decide uses)', () => {
    const a = liveAssignment(normalizeLiveExperiment('shares', experimentBody([0.8, 0.1, 0.1])));
    const n = { production: 0, control: 0, test: 0 };
    for (let i = 0; i < 100_000; i++) n[liveGroupOf(a, `user-${i}`)]++;
    expect(Math.abs(n.production / 100_000 - 0.8)).toBeLessThan(0.01);
    expect(Math.abs(n.control / 100_000 - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(n.test / 100_000 - 0.1)).toBeLessThan(0.01);
  });

  it('gives a user the same group on two replicas over one store, and the group the library computes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allot-exp-'));
    const s1 = createSqliteStore({ path: join(dir, 'a.db') });
    const s2 = createSqliteStore({ path: join(dir, 'a.db') });
    const a1 = await createApp({ store: s1, pollMs: 0, sweepMs: 0, web: false });
    const a2 = await createApp({ store: s2, pollMs: 0, sweepMs: 0, web: false });
    try {
      expect((await call(a1, 'PUT', '/v1/experiments/rep', experimentBody())).statusCode).toBe(201);
      expect((await call(a2, 'PUT', '/v1/experiments/rep', experimentBody())).statusCode).toBe(200);
      const lib = liveAssignment(normalizeLiveExperiment('rep', experimentBody()));
      const counts = { production: 0, control: 0, test: 0 };
      for (let i = 0; i < 150; i++) {
        const body = { user: `person-${i}` };
        const g1 = (await call(a1, 'POST', '/v1/experiments/rep/decide', body)).json().group as GroupName;
        const g2 = (await call(a2, 'POST', '/v1/experiments/rep/decide', body)).json().group as GroupName;
        expect(g1).toBe(g2);
        expect(g1).toBe(liveGroupOf(lib, body.user));
        counts[g1]++;
      }
      expect(counts.control).toBeGreaterThan(0);
      expect(counts.test).toBeGreaterThan(0);
      // Another salt is another split.
      const other = liveAssignment(normalizeLiveExperiment('rep', { ...experimentBody(), salt: 'other' }));
      let moved = 0;
      for (let i = 0; i < 150; i++)
        if (liveGroupOf(other, `person-${i}`) !== liveGroupOf(lib, `person-${i}`)) moved++;
      expect(moved).toBeGreaterThan(25);
    } finally {
      await a1.close();
      await a2.close();
      await s1.close();
      await s2.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('two replicas on one Redis', () => {
  it('route, switch and read out the same experiment whichever replica a request reaches', async () => {
    const prefix = `allot-exp-${process.pid}-${Date.now()}`;
    const sa = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
    const sb = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
    const a = await createApp({ store: sa, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
    const b = await createApp({ store: sb, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
    try {
      expect((await call(a, 'PUT', '/v1/experiments/rr', experimentBody())).statusCode).toBe(201);
      expect((await call(b, 'PUT', '/v1/experiments/rr', experimentBody())).statusCode).toBe(200);
      const lib = liveAssignment(normalizeLiveExperiment('rr', experimentBody()));
      const rng = createRng(11);
      const round = async (n: number, tag: string) => {
        for (let i = 0; i < n; i++) {
          clock += 1000;
          const [x, y] = i % 2 === 0 ? [a, b] : [b, a];
          const d = (
            await call(x, 'POST', '/v1/experiments/rr/decide', { user: `p${i}`, eventId: `${tag}${i}` })
          ).json();
          expect(d.group).toBe(liveGroupOf(lib, `p${i}`));
          const r = await call(y, 'POST', '/v1/experiments/rr/rewards', {
            eventId: d.eventId,
            reward: rng.uniform() < 0.5 ? 1 : 0,
          });
          expect(r.json()).toMatchObject({ applied: true, duplicate: false });
        }
      };
      await round(24, 'one-');
      expect((await call(b, 'POST', '/v1/experiments/rr/phase', { phase: 2 })).statusCode).toBe(200);
      // The other replica sees Phase II at once (the record is read per request) and learns per group.
      await round(24, 'two-');
      const sta = (await call(a, 'GET', '/v1/experiments/rr/state')).json();
      const stb = (await call(b, 'GET', '/v1/experiments/rr/state')).json();
      expect(sta.phase).toBe(2);
      expect(stb).toEqual(sta);
      const total = ['production', 'control', 'test'].reduce((t, g) => t + sta.groups[g].rewards - 24, 0);
      expect(total).toBe(24);
      expect((await replayExperiment(sa, 'default', 'rr')).equal).toBe(true);
      const ra = (await call(a, 'GET', '/v1/experiments/rr/readout?samples=20')).json();
      expect((await call(b, 'GET', '/v1/experiments/rr/readout?samples=20')).json()).toEqual(ra);
      expect(
        ra.phases.map((p: { groups: Record<string, { decisions: number }> }) =>
          Object.values(p.groups).reduce((t, g) => t + g.decisions, 0),
        ),
      ).toEqual([24, 24]);
      expect((await call(a, 'DELETE', '/v1/experiments/rr')).statusCode).toBe(204);
    } finally {
      await a.close();
      await b.close();
      await sa.close();
      await sb.close();
    }
  }, 60_000);
});

describe('phases', () => {
  const rewardsOf = (s: unknown): number => (s as { rewards: number }).rewards;
  const countsOf = (s: unknown): number[] => (s as { counts: number[] }).counts;

  it('Phase I: a reward from any group trains the one pooled state; Phase II: only its own group', async () => {
    expect((await call(app, 'PUT', '/v1/experiments/ph', experimentBody())).statusCode).toBe(201);
    const one = {
      production: usersOf('ph', 'production', 1)[0]!,
      control: usersOf('ph', 'control', 1)[0]!,
      test: usersOf('ph', 'test', 1)[0]!,
    };
    const state = async () =>
      (await call(app, 'GET', '/v1/experiments/ph/state')).json() as {
        phase: number;
        pooled: unknown;
        groups: Record<GroupName, unknown>;
      };
    let n = 0;
    for (const g of ['production', 'control', 'test'] as const) {
      const d = (await call(app, 'POST', '/v1/experiments/ph/decide', { user: one[g] })).json();
      expect(d.group).toBe(g);
      const r = await call(app, 'POST', '/v1/experiments/ph/rewards', { eventId: d.eventId, reward: 1 });
      expect(r.json()).toEqual({ eventId: d.eventId, applied: true, duplicate: false });
      n++;
      expect(rewardsOf((await state()).pooled)).toBe(n);
    }
    clock += 1000;
    const sw = await call(app, 'POST', '/v1/experiments/ph/phase', { phase: 2, start: 'pooled' });
    expect(sw.statusCode).toBe(200);
    expect(sw.json()).toMatchObject({ phase: 2, at: new Date(clock).toISOString() });
    // Idempotent with the same start; another start is a conflict.
    expect(
      (await call(app, 'POST', '/v1/experiments/ph/phase', { phase: 2, start: 'pooled' })).json().at,
    ).toBe(new Date(clock).toISOString());
    expect(
      (await call(app, 'POST', '/v1/experiments/ph/phase', { phase: 2, start: 'empty' })).statusCode,
    ).toBe(409);
    const s0 = await state();
    expect(s0.phase).toBe(2);
    for (const g of ['production', 'control', 'test'] as const) {
      expect(rewardsOf(s0.groups[g])).toBe(3);
      expect(countsOf(s0.groups[g])).toEqual(countsOf(s0.pooled));
    }
    const before = JSON.stringify(s0);
    for (const g of ['production', 'control', 'test'] as const) {
      const prev = await state();
      const d = (await call(app, 'POST', '/v1/experiments/ph/decide', { user: one[g] })).json();
      expect(d.group).toBe(g);
      await call(app, 'POST', '/v1/experiments/ph/rewards', { eventId: d.eventId, reward: 1 });
      const now = await state();
      expect(now.pooled).toEqual(prev.pooled);
      for (const h of ['production', 'control', 'test'] as const) {
        if (h === g) expect(rewardsOf(now.groups[h])).toBe(rewardsOf(prev.groups[h]) + 1);
        else expect(now.groups[h]).toEqual(prev.groups[h]);
      }
    }
    expect(JSON.stringify(await state())).not.toBe(before);
    // Replayable from the logs alone: a group's state is the pooled log up to the switch plus its own log.
    const rep = await replayExperiment(store, 'default', 'ph');
    expect(rep.equal).toBe(true);
    expect(rep.agents.map((x) => [x.agentId, x.base, x.rewards])).toEqual([
      ['exp.ph.pooled', 'empty', 3],
      ['exp.ph.production', 'pooled', 4],
      ['exp.ph.control', 'pooled', 4],
      ['exp.ph.test', 'pooled', 4],
    ]);
    // ... and the check can fail: a stored state that the logs do not give.
    const key = 'default/exp.ph.test';
    const snap = (await store.loadSnapshot(key))!;
    const wrong = { ...snap.state, counts: (snap.state['counts'] as number[]).map((c) => c + 1) };
    await store.saveSnapshot(key, { seq: await store.lastSeq(key), state: wrong });
    expect((await replayExperiment(store, 'default', 'ph')).equal).toBe(false);
  });

  it('Phase II can start empty', async () => {
    expect((await call(app, 'PUT', '/v1/experiments/em', experimentBody())).statusCode).toBe(201);
    const u = usersOf('em', 'control', 1)[0]!;
    const d = (await call(app, 'POST', '/v1/experiments/em/decide', { user: u })).json();
    expect(
      (await call(app, 'POST', '/v1/experiments/em/phase', { phase: 2, start: 'empty' })).statusCode,
    ).toBe(200);
    // The Phase I decision's reward, arriving after the switch, goes to the pooled agent that made it.
    await call(app, 'POST', '/v1/experiments/em/rewards', { eventId: d.eventId, reward: 1 });
    const s = (await call(app, 'GET', '/v1/experiments/em/state')).json();
    expect(rewardsOf(s.pooled)).toBe(1);
    for (const g of ['production', 'control', 'test']) expect(rewardsOf(s.groups[g])).toBe(0);
    // A retried Phase I decide returns the stored decision.
    const again = (
      await call(app, 'POST', '/v1/experiments/em/decide', { user: u, eventId: d.eventId })
    ).json();
    expect(again).toEqual(d);
  });
});

describe('readout', () => {
  it('end to end: simulated users through HTTP; the Phase II interval covers the known lift, and the HTTP readout equals the library readout of the same events', async () => {
    expect((await call(app, 'PUT', '/v1/experiments/e2e', experimentBody())).statusCode).toBe(201);
    const rng = createRng(20261201);
    await simulate(app, 'e2e', 700, 1, 1, rng);
    clock = T0 + DAY;
    expect((await call(app, 'POST', '/v1/experiments/e2e/phase', { phase: 2 })).statusCode).toBe(200);
    await simulate(app, 'e2e', 700, 2, 2, rng);

    const res = await call(app, 'GET', '/v1/experiments/e2e/readout?samples=50&seed=3');
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.phase).toBe(2);
    expect(r.phases.map((p: { phase: number }) => p.phase)).toEqual([1, 2]);
    const p2 = r.phases[1];
    expect(r.lift).toEqual(p2.lift);
    expect(r.lift.method).toBe('delta');
    const [lo, hi] = r.lift.ci95 as [number, number];
    expect(lo).toBeLessThanOrEqual(TRUE_LIFT);
    expect(hi).toBeGreaterThanOrEqual(TRUE_LIFT);
    expect(lo).toBeGreaterThan(0); // detectable at this size
    expect(r.groups.control.users).toBeGreaterThan(250);
    expect(r.groups.test.users).toBeGreaterThan(250);
    expect(r.groups.test.taskRates).toHaveLength(1);
    for (const g of ['production', 'control', 'test']) {
      const ex = r.groups[g].exploration;
      expect(ex.userDays).toBeGreaterThan(0);
      expect(ex.TD).toBeGreaterThanOrEqual(1);
      expect(ex.TE).toBeGreaterThan(0);
    }
    // Control explores more: more distinct arms a day per user.
    expect(r.groups.control.exploration.TD).toBeGreaterThan(r.groups.test.exploration.TD);
    expect(r.days.map((d: { day: number; phase: number }) => `${d.day}/${d.phase}`)).toEqual([
      '1/1',
      '2/2',
      '3/2',
    ]);
    expect(r.days[2].lift).toEqual({
      estimate: p2.liftDelta.estimate,
      ci95: p2.liftDelta.ci95,
      se: p2.liftDelta.se,
    });

    // The library's readout of the same events, read back through the agents' event routes.
    const events: LiveEvent[] = [];
    for (const which of ['pooled', 'production', 'control', 'test']) {
      const page = (await call(app, 'GET', `/v1/agents/exp.e2e.${which}/events?limit=10000`)).json() as {
        events: Array<{
          timestamp: string;
          user: string;
          group: GroupName;
          actions: string[];
          reward: number[] | null;
          defaultReward: boolean | null;
        }>;
        next: string | null;
      };
      expect(page.next).toBeNull();
      for (const e of page.events)
        events.push({
          phase: which === 'pooled' ? 1 : 2,
          group: e.group,
          user: e.user,
          ts: Date.parse(e.timestamp),
          actions: e.actions,
          reward: e.reward === null || e.defaultReward ? null : e.reward,
        });
    }
    const record = (await store.getRecord('experiment', 'default/e2e')) as LiveExperimentRecord;
    const lib = liveReadout(record, events, null, { samples: 50, seed: 3 });
    expect(JSON.parse(JSON.stringify(lib))).toEqual(r);
  }, 60_000);

  it('applies CUPED with the rewards a named agent logged in the days before the experiment', async () => {
    // Before the experiment: a production agent serves the same users for a week; a user's pre-period rewards
    // predict their rewards during the experiment (heavy users stay heavy).
    clock = T0 - 7 * DAY;
    const pre = await call(app, 'PUT', '/v1/agents/prod', { policy: { type: 'ucb1' }, arms: ARMS });
    expect(pre.statusCode).toBe(201);
    const rng = createRng(77);
    const heavy = (u: number) => u % 3 === 0;
    for (let u = 0; u < 120; u++)
      for (let v = 0; v < (heavy(u) ? 6 : 1); v++) {
        clock += 1000;
        const d = (
          await call(app, 'POST', '/v1/agents/prod/decide', { user: `u${u}`, eventId: `pre-${u}-${v}` })
        ).json();
        await call(app, 'POST', '/v1/agents/prod/rewards', {
          eventId: d.eventId,
          reward: rng.uniform() < 0.6 ? 1 : 0,
        });
      }
    clock = T0;
    const b = { ...experimentBody(), pre: { agent: 'prod', days: 7 } };
    expect((await call(app, 'PUT', '/v1/experiments/cu', b)).statusCode).toBe(201);
    for (let u = 0; u < 120; u++)
      for (let v = 0; v < (heavy(u) ? 6 : 1); v++) {
        clock += 1000;
        const d = (
          await call(app, 'POST', '/v1/experiments/cu/decide', { user: `u${u}`, eventId: `cu-${u}-${v}` })
        ).json();
        await call(app, 'POST', '/v1/experiments/cu/rewards', {
          eventId: d.eventId,
          reward: rng.uniform() < 0.6 ? 1 : 0,
        });
      }
    const r = (await call(app, 'GET', '/v1/experiments/cu/readout?samples=0')).json();
    expect(r.notes.preUsers).toBe(120);
    expect(r.lift.method).toBe('cuped');
    const p = r.phases[0];
    expect(p.liftCuped.varianceReduction).toBeGreaterThan(0.3);
    expect(p.liftCuped.se).toBeLessThan(p.liftDelta.se);
    expect(r.lift.ci95).toEqual(p.liftCuped.ci95);
    // Served again from the cache while nothing new is logged; recomputed after a decision.
    expect((await call(app, 'GET', '/v1/experiments/cu/readout?samples=0')).json()).toEqual(r);
    await call(app, 'POST', '/v1/experiments/cu/decide', { user: 'late-user', eventId: 'cu-late' });
    expect((await call(app, 'GET', '/v1/experiments/cu/readout?samples=0')).json().notes.events).toBe(
      r.notes.events + 1,
    );
  }, 60_000);

  it('allot experiments readout prints the same readout from the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allot-exp-cli-'));
    const path = join(dir, 's.db');
    const s = createSqliteStore({ path });
    const a = await createApp({ store: s, now: () => clock, pollMs: 0, sweepMs: 0, web: false });
    try {
      expect((await call(a, 'PUT', '/v1/experiments/cli', experimentBody())).statusCode).toBe(201);
      await simulate(a, 'cli', 60, 1, 2, createRng(5));
      const http = (await call(a, 'GET', '/v1/experiments/cli/readout?samples=20&seed=2')).json();
      await a.close();
      await s.close();
      const out = join(dir, 'readout.json');
      const cli = runCli([
        'experiments',
        'readout',
        '--store',
        `sqlite:${path}`,
        '--experiment',
        'cli',
        '--samples',
        '20',
        '--seed',
        '2',
        '--out',
        out,
      ]);
      expect(cli.stderr).toMatch(/phase 1: lift/);
      expect(cli.code).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(http);
      // An unknown experiment: the command throws the coded error main() prints as one line, and writes nothing.
      const program = new Command('allot').exitOverride();
      registerExperiments(program);
      const out2 = join(dir, 'none.json');
      await expect(
        program.parseAsync(
          ['experiments', 'readout', '--store', `sqlite:${path}`, '--experiment', 'nope', '--out', out2],
          { from: 'user' },
        ),
      ).rejects.toMatchObject({
        code: 'ALLOT_UNKNOWN_AGENT',
        message: expect.stringMatching(/experiment "nope" does not exist/),
      });
      expect(existsSync(out2)).toBe(false);
      // replay: every state rebuilt from the logs equals the stored one.
      const out3 = join(dir, 'replay.json');
      await program.parseAsync(
        ['experiments', 'replay', '--store', `sqlite:${path}`, '--experiment', 'cli', '--out', out3],
        {
          from: 'user',
        },
      );
      const rep = JSON.parse(readFileSync(out3, 'utf8'));
      expect(rep).toMatchObject({ experiment: 'cli', phase: 1, equal: true });
      expect(rep.agents.map((x: { agentId: string }) => x.agentId)).toEqual(['exp.cli.pooled']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
