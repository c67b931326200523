/**
 * @module
 * Served agents: a policy of the library behind one plain-JSON configuration, deciding with the randomness of
 * (agent seed, event id), logging propensities, and learning by folding logged events into additive state. The
 * decision service (src/serve), off-policy evaluation of an agent's snapshot and the dashboard all use this module;
 * it is browser-safe.
 */
import { AllotError } from '../../core/errors.js';
import { type AgentConfig, normalizeAgentConfig } from './config.js';
import { type AgentRuntime, restoreAgentRuntime } from './runtime.js';

export {
  AGENT_POLICY_TYPES,
  type AgentConfig,
  type AgentPolicy,
  type AgentPolicyType,
  configKey,
  DEFAULT_PROPENSITY_SAMPLES,
  MAX_ARMS,
  MAX_DIMENSION,
  MAX_PROPENSITY_SAMPLES,
  normalizeAgentConfig,
  normalizePolicy,
} from './config.js';
export {
  type ActionContext,
  type AgentDecision,
  type AgentRuntime,
  agentProbabilities,
  agentSpent,
  agentStateToJson,
  budgetExhausted,
  candidateIndices,
  checkReward,
  createAgentRuntime,
  type DecideContext,
  type DecideRequest,
  decideAgent,
  eventRng,
  foldDecision,
  foldReward,
  type LoggedDecision,
  type LoggedReward,
  lazyEventRng,
  pbmBias,
  refreshAgent,
  requestSlots,
  restoreAgentRuntime,
} from './runtime.js';

/** An agent's exported configuration and state (`allot agents snapshot`, `GET /v1/agents/{id}/snapshot`). */
export interface AgentSnapshot {
  readonly agentId: string;
  readonly config: AgentConfig | Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

/**
 * Rebuilds a runtime from a snapshot (config normalised and validated, state checked against it).
 *
 * @throws ALLOT_INVALID_CONFIG for a malformed snapshot.
 */
export function agentFromSnapshot(snapshot: AgentSnapshot): AgentRuntime {
  if (
    snapshot === null ||
    typeof snapshot !== 'object' ||
    typeof snapshot.state !== 'object' ||
    snapshot.state === null
  ) {
    throw new AllotError('ALLOT_INVALID_CONFIG', 'a snapshot must be {"agentId", "config", "state"}');
  }
  return restoreAgentRuntime(normalizeAgentConfig(snapshot.config), snapshot.state);
}
