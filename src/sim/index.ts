/**
 * @module
 * Environments and the replication runner (browser-safe). The worker-thread pool is in `allot/sim/node`.
 * Environments: `budgeted` (budgeted multiple-play bandits), `pbm` (position-based click model, SINREAL/SINBIN),
 * `recsys` (the short-video recommender).
 */
export * as budgeted from './budgeted/index.js';
export * as pbm from './pbm/index.js';
export * as recsys from './recsys/index.js';
export {
  type ReplicationFn,
  type ReplicationOptions,
  replicationRng,
  runReplicationsSync,
} from './replicate.js';
