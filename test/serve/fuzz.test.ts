/**
 * Fuzz test of the HTTP service (issue 9, "Must show"): 10,000 generated bad requests through Fastify `inject` on
 * one app over a memory store holding agents of seven policy types (and an app with `--auth` over the same store).
 * Every reply must be 4xx with `{"error": {"code", "message"}}`, the code one of the registry with the status
 * docs/errors.md gives it; and every agent's `/state`, log and summary must be byte-identical before and after.
 * Seeded with the project's RNG (src/core/rng.ts): a failure prints the seed and the request, so it replays.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng, type Rng } from '../../src/core/rng.js';
import { createApp } from '../../src/serve/app.js';
import { HTTP_STATUS } from '../../src/serve/errors.js';
import { BODY_LIMIT } from '../../src/serve/schemas.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/store.js';

const SEED = 20260901;
const REQUESTS = 10_000;
const TOKEN = 'tok-default-0123456789';
const OTHER_TOKEN = 'tok-other-tenant-012345';

interface AgentFixture {
  readonly id: string;
  readonly config: Record<string, unknown>;
  readonly arms: readonly string[];
  /** Slots of a decision. */
  readonly slots: number;
  /** A valid decide body (no event id). */
  decide(rng: Rng): Record<string, unknown>;
  /** A valid reward (and cost) for a decision of `slots` actions. */
  reward(rng: Rng): { reward: number | number[]; cost?: number[] };
  /** Events decided and rewarded / decided without a reward (filled during setup). */
  rewarded: string[];
  pending: string[];
}

const arms = (n: number, p = 'a'): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);
const u = (rng: Rng): number => Math.round(rng.uniform() * 1000) / 1000;
const vec = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => u(rng) - 0.5);

function fixtures(): AgentFixture[] {
  const mk = (f: Omit<AgentFixture, 'rewarded' | 'pending'>): AgentFixture => ({
    ...f,
    rewarded: [],
    pending: [],
  });
  return [
    mk({
      id: 'ucb',
      config: { policy: { type: 'ucb1' }, arms: arms(5), seed: 3 },
      arms: arms(5),
      slots: 1,
      decide: () => ({}),
      reward: (rng) => ({ reward: u(rng) }),
    }),
    mk({
      id: 'ts',
      config: { policy: { type: 'thompson', propensitySamples: 50 }, arms: arms(4), seed: 4 },
      arms: arms(4),
      slots: 1,
      decide: () => ({}),
      reward: (rng) => ({ reward: rng.uniform() < 0.5 ? 0 : 1 }),
    }),
    mk({
      id: 'eps',
      config: { policy: { type: 'epsilon-greedy', epsilon: 0.2 }, arms: arms(4), seed: 5 },
      arms: arms(4),
      slots: 1,
      decide: () => ({ slots: 2 }),
      reward: (rng) => ({ reward: [u(rng), u(rng)] }),
    }),
    mk({
      id: 'lin',
      config: { policy: { type: 'linucb', d: 6 }, arms: arms(3), seed: 6 },
      arms: arms(3),
      slots: 1,
      decide: (rng) => ({ context: { features: vec(rng, 2) } }),
      reward: (rng) => ({ reward: u(rng) }),
    }),
    mk({
      id: 'pbm',
      config: { policy: { type: 'pbm-rank', d: 3, positions: 2 }, arms: arms(4), seed: 7 },
      arms: arms(4),
      slots: 2,
      decide: (rng) => ({
        context: { actions: Object.fromEntries(arms(4).map((a) => [a, { features: vec(rng, 3) }])) },
      }),
      reward: (rng) => ({ reward: [rng.uniform() < 0.5 ? 0 : 1, rng.uniform() < 0.3 ? 0 : 1] }),
    }),
    mk({
      id: 'mt',
      config: { policy: { type: 'multitask-ucb', alpha: [1, 0.5] }, arms: arms(3), seed: 8 },
      arms: arms(3),
      slots: 1,
      decide: (rng) => ({
        user: `u${rng.int(3)}`,
        context: { actions: Object.fromEntries(arms(3).map((a) => [a, { predictions: [u(rng), u(rng)] }])) },
      }),
      reward: (rng) => ({ reward: u(rng) }),
    }),
    mk({
      id: 'mrcb',
      config: { policy: { type: 'mrcb', slots: 2 }, arms: arms(4), seed: 9, budget: 1000 },
      arms: arms(4),
      slots: 2,
      decide: () => ({}),
      reward: (rng) => ({ reward: [u(rng), u(rng)], cost: [u(rng), u(rng)] }),
    }),
    mk({
      // Spent after setup: every decide is 409 ALLOT_BUDGET_EXHAUSTED.
      id: 'broke',
      config: { policy: { type: 'kube', slots: 2 }, arms: arms(3), seed: 10, budget: 1 },
      arms: arms(3),
      slots: 2,
      decide: () => ({}),
      reward: () => ({ reward: [1, 1], cost: [1, 1] }),
    }),
  ];
}

type Req = InjectOptions & { readonly category: string; readonly auth?: boolean };

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const freshId = (rng: Rng): string => `fz-${rng.uint32().toString(36)}-${rng.uint32().toString(36)}`;
const json = (body: unknown): Pick<InjectOptions, 'payload' | 'headers'> => ({
  payload: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

/** Values of the wrong JSON type for a field expecting `expect`. */
function wrongType(rng: Rng, expect: 'string' | 'number' | 'integer' | 'array' | 'object'): unknown {
  const pool: Record<string, unknown[]> = {
    string: [1, -3.5, true, null, [], ['x'], {}, { a: 1 }, ''],
    number: ['1', '0.5', 'NaN', 'Infinity', '-Infinity', '', true, null, [], {}, ['1']],
    integer: [1.5, -1, 0, '2', 'NaN', true, null, [], {}, 1e300, 10_001],
    array: ['a0', 1, true, null, {}, { 0: 'a0' }],
    object: ['x', 1, true, [], [1, 2], 'null'],
  };
  return pick(rng, pool[expect]!);
}

const BIG_CANDIDATES = arms(10_001, 'c');
const BIG_FEATURES: number[] = new Array(4097).fill(0);
const BIG_REWARD: number[] = new Array(10_001).fill(0);
const NAN_STRINGS = ['NaN', 'Infinity', '-Infinity', 'nan', '1e999', '0x10', '1,5', ' 1', 'undefined'];

/** Malformed JSON derived from a valid body. */
function malformed(rng: Rng, valid: unknown): string {
  const s = JSON.stringify(valid);
  switch (rng.int(8)) {
    case 0:
      return s.slice(0, rng.int(s.length)); // a strict prefix of an object is never JSON
    case 1:
      return `${s.slice(0, -1)},}`;
    case 2:
      return s.replace(/"/g, "'");
    case 3:
      return `{"reward": NaN, "eventId": "x"}`;
    case 4:
      return `${s}${pick(rng, ['}', ']', ',', 'x', '{}'])}`;
    case 5:
      return `{eventId: "x", reward: 1}`;
    case 6:
      return pick(rng, ['', ' ', '\u0000', '{"a":', '[', '{"reward": 1e}', '{"x": "\\u12"}', '{}}']);
    default:
      return `{"slots": ${pick(rng, ['Infinity', '-', '01', '.5', '+1', 'NaN', 'undefined'])}}`;
  }
}

function agentPath(id: string, tail = ''): string {
  return `/v1/agents/${id}${tail}`;
}

/** One generated bad request (never a valid one: every branch breaks the contract in a way the server must refuse). */
function badRequest(rng: Rng, agents: readonly AgentFixture[], huge: readonly Buffer[]): Req {
  const a = pick(
    rng,
    agents.filter((x) => x.id !== 'broke'),
  );
  const pending = (): string => pick(rng, a.pending);
  const validReward = (): Record<string, unknown> => ({ eventId: pending(), ...a.reward(rng) });
  const validDecide = (): Record<string, unknown> => ({ eventId: freshId(rng), ...a.decide(rng) });
  const c = rng.int(16);
  switch (c) {
    case 0: {
      const route = rng.int(3);
      const valid = route === 0 ? validDecide() : route === 1 ? validReward() : a.config;
      return {
        category: 'malformed-json',
        method: route === 2 ? 'PUT' : 'POST',
        url: agentPath(route === 2 ? freshId(rng) : a.id, ['/decide', '/rewards', ''][route]),
        ...json(malformed(rng, valid)),
      };
    }
    case 1: {
      // Wrong types in the decide body.
      const body = validDecide();
      const f = pick(rng, [
        'eventId',
        'user',
        'slots',
        'candidates',
        'context',
        'features',
        'actions',
      ] as const);
      if (f === 'eventId' || f === 'user') body[f] = wrongType(rng, 'string');
      else if (f === 'slots') body[f] = wrongType(rng, 'integer');
      else if (f === 'candidates')
        body[f] = rng.uniform() < 0.5 ? wrongType(rng, 'array') : pick(rng, [[], [1], [null], ['']]);
      else if (f === 'context') body[f] = wrongType(rng, 'object');
      else if (f === 'features')
        body['context'] = { features: pick(rng, [['1'], [null], 'x', [[1]], [true]]) };
      else body['context'] = { actions: pick(rng, [[], 'x', { a0: [] }, { a0: { features: 'x' } }]) };
      return { category: 'wrong-types', method: 'POST', url: agentPath(a.id, '/decide'), ...json(body) };
    }
    case 2: {
      // Wrong types in the reward body (a pending event, so a valid reward would be learned).
      const body = validReward();
      const f = pick(rng, ['eventId', 'reward', 'cost', 'missing'] as const);
      if (f === 'eventId') body['eventId'] = wrongType(rng, 'string');
      else if (f === 'missing') delete body[pick(rng, ['eventId', 'reward'])];
      else
        body[f] = rng.uniform() < 0.5 ? wrongType(rng, 'number') : pick(rng, [[], ['1'], [null], [[1]], {}]);
      return { category: 'wrong-types', method: 'POST', url: agentPath(a.id, '/rewards'), ...json(body) };
    }
    case 3: {
      // NaN strings and overflowing literals where numbers go.
      const n = pick(rng, NAN_STRINGS);
      const where = rng.int(4);
      if (where === 0) {
        // One reward entry replaced by the raw token (1e999 parses to Infinity; the others are strings).
        const rw = a.reward(rng);
        const tokens = (Array.isArray(rw.reward) ? rw.reward : [rw.reward]).map(String);
        tokens[rng.int(tokens.length)] = n === '1e999' ? n : JSON.stringify(n);
        const head = JSON.stringify({ eventId: pending(), ...(rw.cost ? { cost: rw.cost } : {}) });
        return {
          category: 'nan-strings',
          method: 'POST',
          url: agentPath(a.id, '/rewards'),
          ...json(`${head.slice(0, -1)},"reward":[${tokens.join(',')}]}`),
        };
      }
      if (where === 1) {
        const body = JSON.stringify({ ...validDecide(), context: { features: [0.1, 0.2] } });
        const token = n === '1e999' ? '1e999' : JSON.stringify(n);
        const target = a.id === 'pbm' ? 'pbm' : 'lin';
        return {
          category: 'nan-strings',
          method: 'POST',
          url: agentPath(target, '/decide'),
          ...json(body.replace('0.2', token)),
        };
      }
      if (where === 2) {
        const body = { ...validDecide(), slots: n };
        return { category: 'nan-strings', method: 'POST', url: agentPath(a.id, '/decide'), ...json(body) };
      }
      const cfg = { ...a.config, seed: 1 + rng.int(1000), policy: { ...(a.config['policy'] as object) } };
      const text = JSON.stringify({ ...cfg, rewardWindowSeconds: 12345 }).replace(
        '12345',
        n === '1e999' ? '1e999' : JSON.stringify(n),
      );
      return { category: 'nan-strings', method: 'PUT', url: agentPath(freshId(rng)), ...json(text) };
    }
    case 4: {
      // Bodies over the limit, and arrays over their schema maxima under it.
      if (rng.int(4) === 0) {
        const route = pick(rng, ['/decide', '/rewards', '']);
        return {
          category: 'huge-body',
          method: route === '' ? 'PUT' : 'POST',
          url: agentPath(route === '' ? freshId(rng) : a.id, route),
          payload: pick(rng, huge),
          headers: { 'content-type': 'application/json' },
        };
      }
      const v = rng.int(5);
      const big =
        v === 0
          ? { ...validDecide(), candidates: BIG_CANDIDATES }
          : v === 1
            ? { ...validDecide(), context: { features: BIG_FEATURES } }
            : v === 2
              ? { eventId: pending(), reward: BIG_REWARD }
              : v === 3
                ? { ...validDecide(), eventId: 'e'.repeat(257) }
                : { ...validDecide(), user: 'u'.repeat(257) };
      const route = 'reward' in big ? '/rewards' : '/decide';
      return { category: 'huge-body', method: 'POST', url: agentPath(a.id, route), ...json(big) };
    }
    case 5: {
      // Unknown agents (well-formed ids) and malformed agent ids.
      const bad = rng.uniform() < 0.5;
      const id = bad
        ? pick(rng, [
            'x'.repeat(129),
            'y'.repeat(600),
            'a%20b',
            '%2e%2e',
            'a%2Fb',
            'caf%C3%A9',
            'a*b',
            '%00',
            'a%3Fb',
          ])
        : `nope-${freshId(rng)}`;
      const op = rng.int(6);
      if (op === 0)
        return {
          category: 'unknown-agent',
          method: 'POST',
          url: agentPath(id, '/decide'),
          ...json(a.decide(rng)),
        };
      if (op === 1)
        return {
          category: 'unknown-agent',
          method: 'POST',
          url: agentPath(id, '/rewards'),
          ...json({ eventId: pick(rng, a.pending), ...a.reward(rng) }),
        };
      if (op === 2 && bad)
        return { category: 'unknown-agent', method: 'PUT', url: agentPath(id), ...json(a.config) };
      return {
        category: 'unknown-agent',
        method: op === 3 ? 'DELETE' : 'GET',
        url: agentPath(id, pick(rng, ['', '/state', '/events', '/stats', '/snapshot'])),
      };
    }
    case 6: {
      // Unknown events: random ids, and events of another agent.
      const others = agents.filter((x) => x.id !== a.id && x.slots === a.slots);
      const other = others.length === 0 ? null : pick(rng, others);
      const eventId =
        rng.uniform() < 0.5 || other === null
          ? freshId(rng)
          : pick(rng, [...other.pending, ...other.rewarded]);
      return {
        category: 'unknown-event',
        method: 'POST',
        url: agentPath(a.id, '/rewards'),
        ...json({ eventId, ...a.reward(rng) }),
      };
    }
    case 7: {
      // Wrong slot counts: in decide, and reward arrays of the wrong length for a pending decision.
      if (rng.uniform() < 0.5) {
        const k = a.arms.length;
        const fixed = a.id === 'pbm' || a.id === 'mrcb';
        const slots = fixed
          ? pick(
              rng,
              [1, 3, 4].filter((s) => s !== a.slots),
            )
          : k + 1 + rng.int(50);
        const body: Record<string, unknown> = { ...validDecide(), slots };
        if (rng.uniform() < 0.3 && !fixed) {
          // Fewer candidates than slots.
          body['candidates'] = a.arms.slice(0, 1);
          body['slots'] = 2;
        }
        return { category: 'wrong-slots', method: 'POST', url: agentPath(a.id, '/decide'), ...json(body) };
      }
      const body = validReward();
      const slots = a.id === 'eps' ? 2 : a.slots;
      const n = pick(
        rng,
        [0, slots + 1, slots + 2, slots === 1 ? 3 : 1].filter((x) => x !== slots),
      );
      body['reward'] = n === 0 ? [] : new Array(n).fill(0);
      if ('cost' in body) body['cost'] = new Array(slots).fill(0);
      return { category: 'wrong-slots', method: 'POST', url: agentPath(a.id, '/rewards'), ...json(body) };
    }
    case 8: {
      // Bad tokens on the app with --auth.
      const header = pick(rng, [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(0, -1)}`,
        `Basic ${TOKEN}`,
        `${TOKEN}`,
        `Bearer ${TOKEN} extra`,
        `Bearer ${freshId(rng)}${freshId(rng)}`,
        'Bearer \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9',
      ]);
      const op = rng.int(4);
      const req: Req =
        op === 0
          ? { category: 'bad-token', method: 'POST', url: agentPath(a.id, '/decide'), ...json(a.decide(rng)) }
          : op === 1
            ? {
                category: 'bad-token',
                method: 'POST',
                url: agentPath(a.id, '/rewards'),
                ...json(validReward()),
              }
            : op === 2
              ? { category: 'bad-token', method: 'PUT', url: agentPath(freshId(rng)), ...json(a.config) }
              : { category: 'bad-token', method: 'GET', url: agentPath(a.id, '/state') };
      const headers = { ...(req.headers as Record<string, string>) };
      if (header !== undefined) headers['authorization'] = header;
      return { ...req, headers, auth: true };
    }
    case 9: {
      // Another tenant's token: the agents do not exist for it.
      const op = rng.int(3);
      const req: Req =
        op === 0
          ? {
              category: 'other-tenant',
              method: 'POST',
              url: agentPath(a.id, '/decide'),
              ...json(a.decide(rng)),
            }
          : op === 1
            ? {
                category: 'other-tenant',
                method: 'POST',
                url: agentPath(a.id, '/rewards'),
                ...json(validReward()),
              }
            : {
                category: 'other-tenant',
                method: pick(rng, ['GET', 'DELETE']),
                url: agentPath(a.id, pick(rng, ['', '/state'])),
              };
      return {
        ...req,
        headers: { ...(req.headers as Record<string, string>), authorization: `Bearer ${OTHER_TOKEN}` },
        auth: true,
      };
    }
    case 10: {
      // Valid bodies under content types that are not JSON.
      const ct = pick(rng, [
        'text/plain',
        'text/html',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/octet-stream',
        'image/png',
      ]);
      const route = rng.int(3);
      const body = route === 0 ? validDecide() : route === 1 ? validReward() : a.config;
      return {
        category: 'content-type',
        method: route === 2 ? 'PUT' : 'POST',
        url: agentPath(route === 2 ? freshId(rng) : a.id, ['/decide', '/rewards', ''][route]),
        payload: JSON.stringify(body),
        headers: { 'content-type': ct },
      };
    }
    case 11: {
      // Unknown fields (bodies and queries).
      const key = pick(rng, ['foo', 'eventID', 'Reward', 'slot', 'context2', 'tenant', 'version']);
      const op = rng.int(5);
      if (op === 0)
        return {
          category: 'unknown-field',
          method: 'POST',
          url: agentPath(a.id, '/decide'),
          ...json({ ...validDecide(), [key]: 1 }),
        };
      if (op === 1)
        return {
          category: 'unknown-field',
          method: 'POST',
          url: agentPath(a.id, '/rewards'),
          ...json({ ...validReward(), [key]: 1 }),
        };
      if (op === 2)
        return {
          category: 'unknown-field',
          method: 'POST',
          url: agentPath(a.id, '/decide'),
          ...json({ ...validDecide(), context: { features: [1], [key]: [1] } }),
        };
      if (op === 3)
        return {
          category: 'unknown-field',
          method: 'PUT',
          url: agentPath(freshId(rng)),
          ...json({ ...a.config, [key]: 1 }),
        };
      return {
        category: 'unknown-field',
        method: 'GET',
        url: agentPath(a.id, `/${pick(rng, ['events', 'stats'])}?${key}=1`),
      };
    }
    case 12: {
      // Bad queries.
      const q = pick(rng, [
        'limit=0',
        'limit=10001',
        'limit=-1',
        'limit=abc',
        'limit=1.5',
        'after=-1',
        'after=x',
        'after=1e3',
        'after=9999999999999999',
        'limit=',
      ]);
      return rng.uniform() < 0.8
        ? { category: 'bad-query', method: 'GET', url: agentPath(a.id, `/events?${q}`) }
        : {
            category: 'bad-query',
            method: 'GET',
            url: agentPath(a.id, `/stats?buckets=${pick(rng, ['0', '1001', 'x', '-1', '1.5'])}`),
          };
    }
    case 13: {
      // Bad configs for new agents, and a different config for an existing one (409).
      if (rng.uniform() < 0.3)
        return {
          category: 'bad-config',
          method: 'PUT',
          url: agentPath(a.id),
          ...json({ ...a.config, seed: (a.config['seed'] as number) + 1 + rng.int(100) }),
        };
      const k = 3 + rng.int(5);
      const cfg = pick(rng, [
        { policy: { type: 'ucb2' }, arms: arms(k) },
        { policy: { type: 'ucb1', c: -1 }, arms: arms(k) },
        { policy: { type: 'ucb1', zz: 1 }, arms: arms(k) },
        { policy: { type: 'ucb1' }, arms: ['a', 'a'] },
        { policy: { type: 'ucb1' }, arms: [] },
        { policy: { type: 'ucb1' }, arms: ['a b'] },
        { policy: { type: 'ucb1' } },
        { policy: 'ucb1', arms: arms(k) },
        { policy: { type: 'ucb1' }, arms: arms(k), seed: -1 },
        { policy: { type: 'ucb1' }, arms: arms(k), seed: 1.5 },
        { policy: { type: 'ucb1' }, arms: arms(k), budget: 10 },
        { policy: { type: 'ucb1' }, arms: arms(k), rewardWindowSeconds: 0 },
        { policy: { type: 'linucb' }, arms: arms(k) },
        { policy: { type: 'linucb', d: 0 }, arms: arms(k) },
        { policy: { type: 'linucb', d: 2000 }, arms: arms(k) },
        { policy: { type: 'lints', d: 3, delta: 0.1 }, arms: arms(k) },
        { policy: { type: 'pbm-rank', d: 2, positions: k + 1 }, arms: arms(k) },
        { policy: { type: 'pbm-rank', d: 2, positions: 2, bias: 'known' }, arms: arms(k) },
        { policy: { type: 'mrcb', slots: 2 }, arms: arms(k) },
        { policy: { type: 'mrcb', slots: 2 }, arms: arms(k), budget: 0 },
        { policy: { type: 'kube', slots: 2 }, arms: arms(k), budget: 5, defaultReward: 0 },
        { policy: { type: 'thompson', likelihood: 'poisson' }, arms: arms(k) },
        { policy: { type: 'thompson', mu0: 1 }, arms: arms(k) },
        { policy: { type: 'epsilon-greedy', epsilon: 1.5 }, arms: arms(k) },
        { policy: { type: 'multitask-ucb', alpha: [] }, arms: arms(k) },
        { policy: { type: 'multitask-ucb', alpha: ['1'] }, arms: arms(k) },
      ]);
      return { category: 'bad-config', method: 'PUT', url: agentPath(freshId(rng)), ...json(cfg) };
    }
    case 14: {
      // Semantically invalid decisions and rewards that pass the schema.
      const v = rng.int(7);
      if (v === 0)
        return {
          category: 'semantic',
          method: 'POST',
          url: agentPath(a.id, '/decide'),
          ...json({ ...validDecide(), candidates: [pick(rng, ['zz', 'a99', 'A0'])] }),
        };
      if (v === 1)
        return {
          category: 'semantic',
          method: 'POST',
          url: agentPath(a.id === 'mrcb' ? 'ucb' : a.id, '/decide'),
          ...json({ ...validDecide(), candidates: [a.arms[0], a.arms[0]] }),
        };
      if (v === 2)
        return {
          category: 'semantic',
          method: 'POST',
          url: agentPath(pick(rng, ['lin', 'pbm']), '/decide'),
          ...json({
            eventId: freshId(rng),
            context: pick(rng, [{}, { features: [1, 2, 3] }, { actions: { a0: { features: [1] } } }]),
          }),
        };
      if (v === 3)
        return {
          category: 'semantic',
          method: 'POST',
          url: agentPath('mt', '/decide'),
          ...json(
            pick(rng, [
              { eventId: freshId(rng) },
              { eventId: freshId(rng), user: 'u1', context: { actions: { a0: { predictions: [1] } } } },
            ]),
          ),
        };
      if (v === 4) {
        const t = pick(
          rng,
          agents.filter((x) => x.id === 'ts' || x.id === 'pbm' || x.id === 'mrcb'),
        );
        const body: Record<string, unknown> = { eventId: pick(rng, t.pending), ...t.reward(rng) };
        const r = body['reward'];
        body['reward'] = Array.isArray(r)
          ? r.map((x, i) => (i === 0 ? pick(rng, [1.5, -0.1, 2, 100]) : x))
          : pick(rng, [1.5, -0.1, 2]);
        return { category: 'semantic', method: 'POST', url: agentPath(t.id, '/rewards'), ...json(body) };
      }
      if (v === 5) {
        // Costs: missing or out of range for a budgeted agent, present for another.
        if (rng.uniform() < 0.5)
          return {
            category: 'semantic',
            method: 'POST',
            url: agentPath('mrcb', '/rewards'),
            ...json(
              pick(rng, [
                { eventId: pick(rng, agents.find((x) => x.id === 'mrcb')!.pending), reward: [0, 1] },
                {
                  eventId: pick(rng, agents.find((x) => x.id === 'mrcb')!.pending),
                  reward: [0, 1],
                  cost: [2, 0],
                },
                {
                  eventId: pick(rng, agents.find((x) => x.id === 'mrcb')!.pending),
                  reward: [0, 1],
                  cost: [0],
                },
              ]),
            ),
          };
        return {
          category: 'semantic',
          method: 'POST',
          url: agentPath('ucb', '/rewards'),
          ...json({ eventId: pick(rng, agents[0]!.pending), reward: 1, cost: 0 }),
        };
      }
      return {
        category: 'semantic',
        method: 'POST',
        url: agentPath('mrcb', '/decide'),
        ...json({ eventId: freshId(rng), candidates: ['a0'] }),
      };
    }
    default: {
      // Budget spent, prototype poisoning, deep nesting, unknown routes and methods.
      const v = rng.int(5);
      if (v === 0)
        return {
          category: 'misc',
          method: 'POST',
          url: agentPath('broke', '/decide'),
          ...json({ eventId: freshId(rng) }),
        };
      if (v === 1)
        return {
          category: 'misc',
          method: 'POST',
          url: agentPath(a.id, '/decide'),
          ...json(
            pick(rng, [
              '{"__proto__": {"slots": 1}}',
              '{"constructor": {"prototype": {"x": 1}}}',
              '{"context": {"actions": {"__proto__": {"features": [1]}}}}',
            ]),
          ),
        };
      if (v === 2) {
        const depth = pick(rng, [100, 1000, 20_000]);
        return {
          category: 'misc',
          method: 'POST',
          url: agentPath(a.id, '/decide'),
          ...json(`{"context":${'['.repeat(depth)}${']'.repeat(depth)}}`),
        };
      }
      if (v === 3)
        return {
          category: 'misc',
          method: pick(rng, ['PATCH', 'POST', 'PUT']),
          url: agentPath(a.id, pick(rng, ['/state', '/events', '/nope'])),
          ...json({}),
        };
      return {
        category: 'misc',
        method: pick(rng, ['GET', 'DELETE']),
        url: pick(rng, ['/v1/nothing', '/v1/agents/a/b/c', agentPath(a.id, '/decide'), '/v2/agents']),
      };
    }
  }
}

/** What is wrong with an error reply (null: a 4xx with a registered code, its status, and a message). */
function checkReply(status: number, text: string): string | null {
  if (!(status >= 400 && status < 500)) return 'not 4xx';
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return 'not JSON';
  }
  const code = body.error?.code;
  if (typeof code !== 'string' || !(code in HTTP_STATUS)) return `unknown code ${String(code)}`;
  if (HTTP_STATUS[code as keyof typeof HTTP_STATUS] !== status) return `${code} is not ${status}`;
  if (typeof body.error?.message !== 'string' || body.error.message.length === 0) return 'no message';
  return null;
}

describe('fuzz: generated bad requests', () => {
  let store: Store;
  let app: FastifyInstance;
  let authApp: FastifyInstance;
  const agents = fixtures();

  const snapshot = async (): Promise<string> => {
    const parts: string[] = [];
    for (const a of agents) {
      for (const tail of ['/state', '', '/events?limit=10000']) {
        const r = await app.inject({ method: 'GET', url: agentPath(a.id, tail) });
        expect(r.statusCode).toBe(200);
        parts.push(r.body);
      }
      parts.push(String(await store.lastSeq(`default/${a.id}`)));
    }
    parts.push(JSON.stringify((await store.listAgents('')).map((r) => r.id)));
    return parts.join('\n');
  };

  beforeAll(async () => {
    store = createMemoryStore();
    const opts = { store, web: false, sweepMs: 0, pollMs: 0, now: () => 1_800_000_000_000 };
    app = await createApp(opts);
    authApp = await createApp({
      ...opts,
      auth: [
        { token: TOKEN, tenant: 'default' },
        { token: OTHER_TOKEN, tenant: 'other' },
      ],
    });
    const rng = createRng(SEED ^ 1);
    for (const a of agents) {
      const put = await app.inject({ method: 'PUT', url: agentPath(a.id), ...json(a.config) });
      expect(put.statusCode, put.body).toBe(201);
      const n = a.id === 'broke' ? 1 : 8;
      for (let i = 0; i < n; i++) {
        const eventId = `${a.id}-e${i}`;
        const d = await app.inject({
          method: 'POST',
          url: agentPath(a.id, '/decide'),
          ...json({ eventId, ...a.decide(rng) }),
        });
        expect(d.statusCode, d.body).toBe(200);
        if (i >= 5) {
          a.pending.push(eventId);
          continue;
        }
        const slots = (JSON.parse(d.body) as { actions: string[] }).actions.length;
        const rw = a.reward(rng);
        expect(Array.isArray(rw.reward) ? rw.reward.length : 1).toBe(slots);
        const r = await app.inject({
          method: 'POST',
          url: agentPath(a.id, '/rewards'),
          ...json({ eventId, ...rw }),
        });
        expect(r.statusCode, r.body).toBe(200);
        a.rewarded.push(eventId);
      }
    }
  });

  afterAll(async () => {
    await app?.close();
    await authApp?.close();
    await store?.close();
  });

  test(`${REQUESTS} generated bad requests all get 4xx with a registered code, and no agent's state changes`, async () => {
    const before = await snapshot();
    const rng = createRng(SEED);
    // Bodies just over the limit and far over it, built once.
    const text = `{"eventId": "x", "reward": [${'0,'.repeat(BODY_LIMIT)}0]}`;
    const huge = [BODY_LIMIT + 1, BODY_LIMIT + 777, 2 * BODY_LIMIT].map((n) => Buffer.from(text.slice(0, n)));
    const counts = new Map<string, number>();
    const statuses = new Map<number, number>();
    const failures = new Map<string, string>();
    for (let i = 0; i < REQUESTS; i++) {
      const req = badRequest(rng, agents, huge);
      const { category, auth, ...opts } = req;
      const res = await (auth ? authApp : app).inject(opts);
      counts.set(category, (counts.get(category) ?? 0) + 1);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const problem = checkReply(res.statusCode, res.body);
      if (problem !== null) {
        const kind = `${category} ${res.statusCode} ${problem}`;
        // One example per kind of failure, with what replays it.
        if (!failures.has(kind))
          failures.set(
            kind,
            `#${i} (seed ${SEED}) ${opts.method} ${opts.url} ${String(opts.payload ?? '').slice(0, 200)} -> ${res.body.slice(0, 200)}`,
          );
      }
    }
    expect(Object.fromEntries(failures)).toEqual({});
    expect(await snapshot()).toBe(before);
    // Every category was exercised.
    expect(counts.size).toBe(15);
    for (const n of counts.values()) expect(n).toBeGreaterThan(REQUESTS / 40);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  }, 180_000);
});
