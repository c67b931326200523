/**
 * @module
 * The decision service (Node only): the Fastify app, the agent service over a store, auth and metrics.
 */

export {
  type AgentService,
  type AgentServiceOptions,
  createAgentService,
  type DecideReply,
  type RewardReply,
  type RewardRequest,
  replayFromLog,
} from './agent-service.js';
export {
  type AppOptions,
  createApp,
  joinedRow,
  registerServePlugin,
  type ServeContext,
  type ServePlugin,
  sendError,
} from './app.js';
export { DEFAULT_TENANT, isLoopback, lookupToken, parseAuth, type TokenEntry } from './auth.js';
export { HTTP_STATUS, isStoreFailure, toHttpError } from './errors.js';
export {
  collectExperiment,
  EXPERIMENT_RECORD,
  experimentAgentKey,
  experimentReadout,
  experimentsPlugin,
  getExperiment,
  readoutOptions,
  replayExperiment,
} from './experiments.js';
export { openStore } from './open-store.js';
export {
  configurePersonalizer,
  DEFAULT_PERSONALIZER_LOOP,
  type PersonalizerSettings,
  personalizerPlugin,
} from './personalizer/index.js';
