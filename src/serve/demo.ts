/**
 * `allot serve --demo`: seeded simulated clients against a few demo agents, through the same service calls the
 * HTTP routes make, so that a newcomer sees agents learn on the dashboard. Each environment is a small simulator of
 * its domain: Bernoulli arms (UCB1, Thompson), a contextual logistic world (LinUCB, disjoint model), a
 * position-based click model (PBMRank) and budgeted arms with random costs (MRCB).
 */
import { createRng, type Rng } from '../core/rng.js';
import type { AgentService } from './agent-service.js';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Decisions per second per agent. */
  readonly ratePerSecond: number;
  readonly seed: number;
  /** Tenant the demo agents live in (default `default`). */
  readonly tenant?: string;
}

interface DemoAgent {
  readonly id: string;
  readonly config: Record<string, unknown>;
  /** One decide + reward round. */
  round(service: AgentService, key: string, rng: Rng, i: number): Promise<void>;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const bern = (rng: Rng, p: number): number => (rng.uniform() < p ? 1 : 0);

function banditAgent(id: string, policy: Record<string, unknown>, means: number[]): DemoAgent {
  const arms = means.map((_, i) => `arm-${i}`);
  return {
    id,
    config: { policy, arms, seed: 7 },
    async round(service, key, rng) {
      const d = await service.decide(key, {});
      const a = arms.indexOf(d.actions[0]!);
      await service.reward(key, { eventId: d.eventId, reward: bern(rng, means[a]!) });
    },
  };
}

function contextualAgent(): DemoAgent {
  const K = 4;
  const ds = 3;
  const theta = [
    [1.5, -1, 0],
    [-1, 1.5, 0],
    [0, 0, 1],
    [0.3, 0.3, 0.3],
  ];
  const arms = Array.from({ length: K }, (_, i) => `offer-${i}`);
  return {
    id: 'demo-linucb',
    config: { policy: { type: 'linucb', d: K * ds, alphaScale: 0.2 }, arms, seed: 7 },
    async round(service, key, rng) {
      const x = [rng.normal(), rng.normal(), 1];
      const d = await service.decide(key, { context: { features: x } });
      const a = arms.indexOf(d.actions[0]!);
      let z = -1;
      for (let j = 0; j < ds; j++) z += theta[a]![j]! * x[j]!;
      await service.reward(key, { eventId: d.eventId, reward: bern(rng, sigmoid(z)) });
    },
  };
}

function rankingAgent(): DemoAgent {
  const items = 10;
  const d = 5;
  const q = [1, 0.6, 0.3];
  const gen = createRng(99);
  const feats = Array.from({ length: items }, () => Array.from({ length: d }, () => gen.uniform()));
  const theta = [0.5, 0.2, -0.3, 0.4, 0.1];
  const rel = feats.map((f) =>
    Math.min(
      0.95,
      Math.max(
        0.02,
        f.reduce((s, v, j) => s + v * theta[j]!, 0),
      ),
    ),
  );
  const arms = Array.from({ length: items }, (_, i) => `item-${i}`);
  const actions = Object.fromEntries(arms.map((a, i) => [a, { features: feats[i]! }]));
  return {
    id: 'demo-pbm',
    config: { policy: { type: 'pbm-rank', d, positions: q.length, alphaScale: 0.1 }, arms, seed: 7 },
    async round(service, key, rng) {
      const dec = await service.decide(key, { context: { actions } });
      const clicks = dec.actions.map((a, l) => bern(rng, q[l]! * rel[arms.indexOf(a)]!));
      await service.reward(key, { eventId: dec.eventId, reward: clicks });
    },
  };
}

function budgetAgent(): DemoAgent {
  const mu = [0.2, 0.5, 0.7, 0.4, 0.9, 0.3];
  const cost = [0.3, 0.4, 0.5, 0.2, 0.9, 0.6];
  const arms = mu.map((_, i) => `channel-${i}`);
  return {
    id: 'demo-mrcb',
    config: { policy: { type: 'mrcb', slots: 2 }, arms, seed: 7, budget: 20000 },
    async round(service, key, rng) {
      const dec = await service.decide(key, {});
      const idx = dec.actions.map((a) => arms.indexOf(a));
      await service.reward(key, {
        eventId: dec.eventId,
        reward: idx.map((i) => bern(rng, mu[i]!)),
        cost: idx.map((i) => bern(rng, cost[i]!)),
      });
    },
  };
}

/** The running demo. */
export interface Demo {
  readonly agents: readonly string[];
  stop(): void;
}

/**
 * Creates the demo agents (or reuses them when they exist with the same config) and starts the clients.
 */
export async function startDemo(service: AgentService, opts: DemoOptions): Promise<Demo> {
  const tenant = opts.tenant ?? 'default';
  const means = [0.1, 0.25, 0.4, 0.55, 0.7];
  const agents: DemoAgent[] = [
    banditAgent('demo-ucb1', { type: 'ucb1' }, means),
    banditAgent('demo-thompson', { type: 'thompson', propensitySamples: 200 }, means),
    contextualAgent(),
    rankingAgent(),
    budgetAgent(),
  ];
  const ready: DemoAgent[] = [];
  for (const a of agents) {
    try {
      await service.putAgent(`${tenant}/${a.id}`, a.config);
      ready.push(a);
    } catch (e) {
      process.stderr.write(`allot: warning: demo agent ${a.id} skipped: ${(e as Error).message}\n`);
    }
  }
  const root = createRng(opts.seed);
  const timers: NodeJS.Timeout[] = [];
  ready.forEach((a, k) => {
    const rng = root.fork(k);
    let i = 0;
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      a.round(service, `${tenant}/${a.id}`, rng, i++)
        .catch(() => {
          // A budget spent or a store hiccup: the demo keeps going (or idles) rather than failing the server.
        })
        .finally(() => {
          busy = false;
        });
    }, 1000 / opts.ratePerSecond);
    t.unref();
    timers.push(t);
  });
  return {
    agents: ready.map((a) => a.id),
    stop() {
      for (const t of timers) clearInterval(t);
    },
  };
}
