/**
 * @module
 * Node-only simulation utilities: the worker-thread replication pool and a terminal progress bar.
 */
export { defaultWorkers, type PoolOptions, type ReplicationJob, runReplications } from './pool.js';
export { createProgress, type Progress } from './progress.js';
