/**
 * Prometheus metrics of the service (prom-client, one registry per app so that several apps in one process do not
 * share counters): decisions, rewards by outcome, request latency, store errors, and the replica lag.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ServiceEvents } from './agent-service.js';

/** The metrics of one app. */
export interface ServeMetrics {
  readonly registry: Registry;
  readonly events: ServiceEvents;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Records one request's latency in seconds (the labelled series is looked up once per label set, then cached). */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
}

/** At most this many cached label sets per metric (beyond it, lookups go through prom-client's label hashing). */
const MAX_CACHED_SERIES = 10_000;

/**
 * Caches prom-client's labelled children: `metric.labels(...)` hashes the label object on every call (sorting and
 * joining the keys), which a request-rate counter would pay per request.
 */
function childCache<C>(make: (key: string) => C): (key: string) => C {
  const cache = new Map<string, C>();
  return (key) => {
    let c = cache.get(key);
    if (c === undefined) {
      c = make(key);
      if (cache.size < MAX_CACHED_SERIES) cache.set(key, c);
    }
    return c;
  };
}

/** Creates the registry and the hooks the agent service calls. */
export function createMetrics(): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'allot_process_' });
  const decisions = new Counter({
    name: 'allot_decisions_total',
    help: 'Decisions logged',
    labelNames: ['agent'],
    registers: [registry],
  });
  const rewards = new Counter({
    name: 'allot_rewards_total',
    help: 'Rewards by outcome: applied (learned), late (after the window: logged, not learned), duplicate (ignored), default (window closed without one)',
    labelNames: ['agent', 'outcome'],
    registers: [registry],
  });
  const decideSeconds = new Histogram({
    name: 'allot_decide_seconds',
    help: 'Time to decide and log a decision (service side)',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'allot_store_errors_total',
    help: 'Store operations that failed',
    labelNames: ['op'],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'allot_replica_lag_entries',
    help: 'Log entries other replicas appended that this replica has not folded yet',
    labelNames: ['agent'],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'allot_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const decisionsOf = childCache((agent) => decisions.labels({ agent }));
  const rewardsOf = childCache((k) => {
    const cut = k.lastIndexOf('\u0000');
    return rewards.labels({ agent: k.slice(0, cut), outcome: k.slice(cut + 1) });
  });
  const httpOf = childCache((k) => {
    const [method, status, route] = k.split('\u0000') as [string, string, string];
    return httpDuration.labels({ method, route, status });
  });
  return {
    registry,
    httpDuration,
    observeHttp(method, route, status, seconds) {
      httpOf(`${method}\u0000${status}\u0000${route}`).observe(seconds);
    },
    events: {
      decision(agent, seconds) {
        decisionsOf(agent).inc();
        decideSeconds.observe(seconds);
      },
      reward(agent, kind) {
        rewardsOf(`${agent}\u0000${kind}`).inc();
      },
      lag(agent, entries) {
        lag.set({ agent }, entries);
      },
      storeError(op) {
        storeErrors.inc({ op });
      },
    },
  };
}
