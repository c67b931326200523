/**
 * A Personalizer loop learns in a seeded simulated world where the best action depends on the context; apprentice
 * mode returns the baseline; the returned probabilities sum to 1 and are the sampling frequencies.
 * The thousands of ranks of the learning and frequency tests call the loop operations behind the routes (the same
 * parsing, deciding, logging and folding, without HTTP: a few seconds instead of tens on a loaded machine); the
 * other tests go through the routes (Fastify inject), and personalizer.test.ts through the official clients.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentStateToJson } from '../../src/bandits/agent/runtime.js';
import { createRng } from '../../src/core/rng.js';
import { replayFromLog } from '../../src/serve/agent-service.js';
import { createApp, registerServePlugin } from '../../src/serve/app.js';
import { configurePersonalizer, personalizerPlugin } from '../../src/serve/personalizer/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/store.js';

registerServePlugin(personalizerPlugin);

type App = Awaited<ReturnType<typeof createApp>>;
let store: Store;
let app: App;

beforeEach(async () => {
  store = createMemoryStore();
  app = await createApp({ store, pollMs: 0, sweepMs: 0, web: false, snapshotEvery: 1_000_000 });
  configurePersonalizer(app, { loop: 'world', sweep: false });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

interface Rank {
  ranking: Array<{ id: string; probability: number }>;
  eventId: string;
  rewardActionId: string;
}

/** A rank through the loop operations behind `POST /personalizer/v1.0/rank` (no HTTP). */
const rankDirect = (body: unknown): Promise<Rank> =>
  app.personalizer.loops.rank('default/world', body) as Promise<Rank>;
const rewardDirect = (eventId: string, value: number): Promise<void> =>
  app.personalizer.loops.reward('default/world', eventId, { value });

const rank = async (body: unknown): Promise<Rank> => {
  const r = await app.inject({ method: 'POST', url: '/personalizer/v1.0/rank', payload: body as object });
  expect(r.statusCode).toBe(201);
  return r.json() as Rank;
};
const reward = async (eventId: string, value: number) => {
  const r = await app.inject({
    method: 'POST',
    url: `/personalizer/v1.0/events/${eventId}/reward`,
    payload: { value },
  });
  expect(r.statusCode).toBe(204);
};
const configure = async (body: object) => {
  const cur = (
    await app.inject({ method: 'GET', url: '/personalizer/v1.1-preview.3/configurations/service' })
  ).json();
  const r = await app.inject({
    method: 'PUT',
    url: '/personalizer/v1.1-preview.3/configurations/service',
    payload: { ...cur, ...body },
  });
  expect(r.statusCode).toBe(200);
};

/** The world: 3 user segments x 2 times of day; 5 articles; the click rate depends on segment, time and topic. */
const SEGMENTS = ['student', 'parent', 'retired'];
const TIMES = ['morning', 'evening'];
const TOPICS = ['tech', 'family', 'garden', 'sports', 'politics'];
const FAVOURITE: Record<string, string> = { student: 'tech', parent: 'family', retired: 'garden' };
const EVENING = 'sports';
const clickRate = (segment: string, time: string, topic: string): number =>
  0.1 + (topic === FAVOURITE[segment] ? 0.55 : 0) + (time === 'evening' && topic === EVENING ? 0.6 : 0);
const ACTIONS = TOPICS.map((t, i) => ({ id: `article-${i}`, features: [{ article: { topic: t } }] }));

describe('Personalizer loop learning', () => {
  it('learns a context-dependent best action: the last 1,000 of 5,000 rounds click near the best achievable', async () => {
    const epsilon = 0.2; // Personalizer's default explorationPercentage
    // A loop with 2^7 hashed weights (the world has 9 features per action): a quarter of the default's work.
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/agents/world',
      payload: { policy: { type: 'personalizer', bits: 7 }, arms: [] },
    });
    expect(put.statusCode).toBe(201);
    // Best achievable with this exploration: (1 - eps) max_a p(c, a) + eps mean_a p(c, a), averaged over contexts.
    let best = 0;
    let uniform = 0;
    for (const s of SEGMENTS)
      for (const t of TIMES) {
        const ps = TOPICS.map((x) => clickRate(s, t, x));
        const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
        best += ((1 - epsilon) * Math.max(...ps) + epsilon * mean) / (SEGMENTS.length * TIMES.length);
        uniform += mean / (SEGMENTS.length * TIMES.length);
      }
    const rng = createRng(2026);
    let clicks = 0;
    for (let round = 0; round < 5000; round++) {
      const segment = SEGMENTS[rng.int(SEGMENTS.length)]!;
      const time = TIMES[rng.int(TIMES.length)]!;
      const res = await rankDirect({
        contextFeatures: [{ user: { segment } }, { time: { of: time } }],
        actions: ACTIONS,
        eventId: `r${round}`,
      });
      const topic = TOPICS[Number(res.rewardActionId.slice(8))]!;
      const click = rng.uniform() < clickRate(segment, time, topic) ? 1 : 0;
      await rewardDirect(res.eventId, click);
      if (round >= 4000) clicks += click;
    }
    const rate = clicks / 1000;
    // Best achievable by hand: morning 0.8 * 0.65 + 0.2 * 0.21 = 0.562, evening (sports) 0.8 * 0.7 + 0.2 * 0.33
    // = 0.626, mean 0.594. A Bernoulli rate over 1,000 rounds has sd <= 0.016: 0.05 is three sd.
    expect(best).toBeCloseTo(0.594, 12);
    expect(rate).toBeGreaterThan(best - 0.05);
    expect(rate).toBeGreaterThan(uniform + 0.2);
  }, 60_000);

  it('returns probabilities that sum to 1 and match the sampling frequencies over many seeded calls', async () => {
    await configure({ explorationPercentage: 0.3 });
    // Teach a preference (topic garden) so that the distribution is not uniform.
    for (let i = 0; i < 60; i++) {
      const r = await rank({
        contextFeatures: [{ user: { segment: 'retired' } }],
        actions: ACTIONS,
        eventId: `t${i}`,
      });
      await reward(r.eventId, r.rewardActionId === 'article-2' ? 1 : 0);
    }
    const n = 3000;
    const counts = new Map<string, number>();
    let first: Rank | null = null;
    for (let i = 0; i < n; i++) {
      // No rewards now: the model (and so the distribution) stays fixed while the event ids vary the draws.
      const r = await rankDirect({
        contextFeatures: [{ user: { segment: 'retired' } }],
        actions: ACTIONS,
        eventId: `f${i}`,
      });
      const sum = r.ranking.reduce((s, x) => s + x.probability, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
      expect(r.ranking).toHaveLength(ACTIONS.length);
      first ??= r;
      counts.set(r.rewardActionId, (counts.get(r.rewardActionId) ?? 0) + 1);
    }
    const p = new Map(first!.ranking.map((x) => [x.id, x.probability]));
    expect(p.get('article-2')).toBeCloseTo(0.3 / 5 + 0.7, 12);
    for (const [id, prob] of p) {
      const freq = (counts.get(id) ?? 0) / n;
      // Four binomial standard deviations.
      expect(Math.abs(freq - prob)).toBeLessThan(4 * Math.sqrt((prob * (1 - prob)) / n));
    }
  }, 60_000);

  it('in apprentice mode returns the baseline (first non-excluded action) every time, and learns from it', async () => {
    await configure({ learningMode: 'Apprentice' });
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) {
      const excluded = rng.uniform() < 0.5 ? [ACTIONS[0]!.id] : [];
      const r = await rank({
        contextFeatures: [{ user: { segment: SEGMENTS[rng.int(3)] } }],
        actions: ACTIONS,
        excludedActions: excluded,
      });
      const baseline = excluded.length > 0 ? ACTIONS[1]!.id : ACTIONS[0]!.id;
      expect(r.rewardActionId).toBe(baseline);
      expect(r.ranking[0]).toEqual({ id: baseline, probability: 1 });
      await reward(r.eventId, 1);
    }
    const state = (await app.inject({ method: 'GET', url: '/v1/agents/world/state' })).json() as {
      rewards: number;
      n: number;
    };
    expect(state.rewards).toBe(200);
    expect(state.n).toBe(200);
    const ms = await app.inject({
      method: 'POST',
      url: '/personalizer/v1.1-preview.3/multislot/rank',
      payload: {
        contextFeatures: [{ user: { segment: 'parent' } }],
        actions: ACTIONS,
        slots: [
          { id: 'top', baselineAction: 'article-3' },
          { id: 'side', baselineAction: 'article-1' },
        ],
      },
    });
    expect(ms.json().slots.map((s: { rewardActionId: string }) => s.rewardActionId)).toEqual([
      'article-3',
      'article-1',
    ]);
  });

  it('learns nothing in LoggingOnly mode, and DELETE model resets what was learned (a logged, replayable reset)', async () => {
    const r1 = await rank({ contextFeatures: [{ a: 1 }], actions: ACTIONS });
    await reward(r1.eventId, 1);
    const state = async () =>
      (await app.inject({ method: 'GET', url: '/v1/agents/world/state' })).json() as {
        n: number;
        rewards: number;
      };
    expect((await state()).n).toBe(1);
    await configure({ learningMode: 'LoggingOnly' });
    const r2 = await rank({ contextFeatures: [{ a: 1 }], actions: ACTIONS });
    expect(r2.rewardActionId).toBe(ACTIONS[0]!.id);
    await reward(r2.eventId, 1);
    expect((await state()).n).toBe(1);
    const del = await app.inject({ method: 'DELETE', url: '/personalizer/v1.1-preview.3/model' });
    expect(del.statusCode).toBe(204);
    expect((await state()).n).toBe(0);
    const model = (await app.inject({ method: 'GET', url: '/personalizer/v1.1-preview.3/model' })).json();
    expect(model.config.policy).toEqual({
      type: 'personalizer',
      bits: 8,
      lambda: 1,
      interactions: 'quadratic',
    });
    expect(model.state.n).toBe(0);
    // The reset is in the log: replaying the whole log rebuilds the same (reset) state.
    await configure({ learningMode: 'Online' });
    const r3 = await rank({ contextFeatures: [{ a: 2 }], actions: ACTIONS });
    await reward(r3.eventId, 0.5);
    expect((await state()).n).toBe(1);
    const rec = (await store.getAgent('default/world'))!;
    const replayed = await replayFromLog(store, 'default/world', rec.config);
    expect(agentStateToJson(replayed.rt)).toEqual(
      (await app.inject({ method: 'GET', url: '/v1/agents/world/state' })).json(),
    );
  });
});
