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
  /** Records one request's latency in seconds. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
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
  return {
    registry,
    httpDuration,
    observeHttp(method, route, status, seconds) {
      httpDuration.observe({ method, route, status: String(status) }, seconds);
    },
    events: {
      decision(agent, seconds) {
        decisions.inc({ agent });
        decideSeconds.observe(seconds);
      },
      reward(agent, kind) {
        rewards.inc({ agent, outcome: kind });
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
