/**
 * @module
 * Environments and the replication runner (browser-safe). The worker-thread pool is in `allot/sim/node`.
 */
export {
  type ReplicationFn,
  type ReplicationOptions,
  replicationRng,
  runReplicationsSync,
} from './replicate.js';
