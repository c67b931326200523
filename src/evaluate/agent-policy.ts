/** The target policy of an allot agent's snapshot: a thin adapter over the agent runtime's action probabilities. */
import {
  type AgentSnapshot,
  agentFromSnapshot,
  agentProbabilities,
  type DecideContext,
} from '../bandits/agent/index.js';
import { createRng } from '../core/rng.js';
import type { LoggedDecision } from './log.js';
import { decisionPolicy, type TargetPolicy } from './policies.js';

/** Options of {@link agentPolicy}. */
export interface AgentPolicyOptions {
  /** Monte Carlo draws per decision for randomised policies (default 10,000; exact policies ignore it). */
  readonly simulations?: number;
  /** Seed of those draws (default 1); decision j uses stream j. */
  readonly seed?: number;
}

/**
 * The frozen policy of an agent snapshot (config + state) as a target policy: for each logged decision, the
 * probability the agent would give each candidate at each slot, in that decision's context and for its user.
 *
 * @param snapshot - `{agentId, config, state}` as `allot agents export`/snapshot write it.
 * @param opts - simulations and seed of the Monte Carlo estimate for randomised policies.
 * @returns a target policy (needs an allot log: decisions with candidates and context).
 * @throws ALLOT_INVALID_CONFIG for a malformed snapshot.
 */
export function agentPolicy(snapshot: AgentSnapshot, opts: AgentPolicyOptions = {}): TargetPolicy {
  const agent = agentFromSnapshot(snapshot);
  const sims = opts.simulations ?? 10_000;
  const root = createRng(opts.seed ?? 1);
  // The probabilities are a function of the frozen state and the request: decisions with the same candidates, slots,
  // user and context share one (seeded) computation.
  const cache = new Map<string, readonly ArrayLike<number>[]>();
  // A decision that logged no candidates chose among all of the agent's arms.
  const candidatesOf = (d: LoggedDecision): readonly string[] =>
    d.candidatesLogged ? d.candidates : agent.config.arms;
  return decisionPolicy(
    'agent',
    (d, imp) => {
      const candidates = candidatesOf(d);
      const key = JSON.stringify([candidates, d.slots, d.user, d.context ?? null]);
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const p = agentProbabilities(
        agent,
        {
          candidates,
          slots: d.slots,
          ...(d.user === null ? {} : { user: d.user }),
          ...(d.context === undefined || d.context === null ? {} : { context: d.context as DecideContext }),
        },
        root.fork(imp),
        sims,
      );
      if (cache.size < 100_000) cache.set(key, p);
      return p;
    },
    sims,
    candidatesOf,
  );
}
